import { runHttpService } from '@switchboard/platform';
import { BotAppConfig } from './bot-app.config.js';
import { BotAppModule } from './bot-app.module.js';

await runHttpService(BotAppModule, { config: BotAppConfig });
