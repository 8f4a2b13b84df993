// What the standalone composition needs of the social channels; nothing else imports an app.
export { SocialChannelModule } from './social-channel.module.js';
export { socialChannelVariables } from './social-channel.config.js';
