// What the standalone's `npm run reports:rebuild` needs (ADR 0118), without loading ReportingModule
// (the app's index), whose database registration the command's own would repeat.
export { RebuildCliModule } from './rebuild-cli.module.js';
export { rebuildCommand } from './rebuild-command.js';
export { RebuildStoreModule } from './rebuild-store.module.js';
