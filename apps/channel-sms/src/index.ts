// What the standalone composition needs of the SMS channel; nothing else imports an app.
export { SmsChannelModule } from './sms-channel.module.js';
export { smsChannelVariables } from './sms-channel.config.js';
