import { runHttpService } from '@switchboard/platform';
import { ChannelSmsAppConfig } from './channel-sms-app.config.js';
import { ChannelSmsAppModule } from './channel-sms-app.module.js';

await runHttpService(ChannelSmsAppModule, { config: ChannelSmsAppConfig });
