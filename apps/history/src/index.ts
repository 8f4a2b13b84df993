// What other compositions need of history; nothing else imports an app.
export { HistoryModule } from './history.module.js';
export { HistoryAppConfig } from './history-app.config.js';
