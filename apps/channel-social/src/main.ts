import { runHttpService } from '@switchboard/platform';
import { ChannelSocialAppConfig } from './channel-social-app.config.js';
import { ChannelSocialAppModule } from './channel-social-app.module.js';

// Meta's and Telegram's JSON is read as bytes and parsed once, by the webhook's adapter after it
// has the bytes its signature covers; Meta batches up to 1,000 events in one webhook.
await runHttpService(ChannelSocialAppModule, {
  config: ChannelSocialAppConfig,
  rawBodies: { types: ['application/json'], limit: '4mb' },
});
