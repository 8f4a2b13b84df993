// What the standalone composition needs of history; nothing else imports an app.
export { HistoryModule } from './history.module.js';
