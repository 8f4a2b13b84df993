import { runHttpService } from '@switchboard/platform';
import { HistoryAppConfig } from './history-app.config.js';
import { HistoryAppModule } from './history-app.module.js';

await runHttpService(HistoryAppModule, { config: HistoryAppConfig });
