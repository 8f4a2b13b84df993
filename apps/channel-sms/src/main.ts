import { runHttpService } from '@switchboard/platform';
import { ChannelSmsAppConfig } from './channel-sms-app.config.js';
import { ChannelSmsAppModule } from './channel-sms-app.module.js';

// Twilio's forms are read as bytes and parsed once, by the webhook itself (parseTwilioForm): the
// signature is over the parameters as sent, and express's `qs` parse of each was wasted CPU.
await runHttpService(ChannelSmsAppModule, {
  config: ChannelSmsAppConfig,
  rawBodies: { types: ['application/x-www-form-urlencoded'], limit: '100kb' },
});
