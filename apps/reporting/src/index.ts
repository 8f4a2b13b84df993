// What the standalone composition needs of reporting; nothing else imports an app.
export { ReportingModule } from './reporting.module.js';
