import { runHttpService } from '@switchboard/platform';
import { HistoryAppModule } from './history-app.module.js';

await runHttpService(HistoryAppModule);
