// What the standalone composition needs of the web channel; nothing else imports an app.
export { ChannelWebModule } from './channel-web.module.js';
