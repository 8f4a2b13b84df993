import { runHttpService } from '@switchboard/platform';
import { ChannelWebAppConfig } from './channel-web-app.config.js';
import { ChannelWebAppModule } from './channel-web-app.module.js';

await runHttpService(ChannelWebAppModule, { config: ChannelWebAppConfig });
