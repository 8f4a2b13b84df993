// What the standalone composition needs of the bot; nothing else imports an app.
export { BotModule } from './bot.module.js';
export { botVariables } from './bot.config.js';
