import { runHttpService } from '@switchboard/platform';
import { ChannelSocialAppConfig } from './channel-social-app.config.js';
import { ChannelSocialAppModule } from './channel-social-app.module.js';

// Meta batches up to 1,000 events in one webhook.
await runHttpService(ChannelSocialAppModule, { config: ChannelSocialAppConfig, jsonBodyLimit: '4mb' });
