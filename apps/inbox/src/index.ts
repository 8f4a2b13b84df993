// What the standalone composition needs of the inbox; nothing else imports an app.
export { InboxModule } from './inbox.module.js';
export { inboxVariables } from './inbox.config.js';
export { channelApiUrlVariables } from './inbox-app.config.js';
