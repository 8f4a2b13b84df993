import { runHttpService } from '@switchboard/platform';
import { ChannelSocialAppConfig } from './channel-social-app.config.js';
import { ChannelSocialAppModule } from './channel-social-app.module.js';

await runHttpService(ChannelSocialAppModule, { config: ChannelSocialAppConfig });
