import { CreateBot1765100000000 } from './1765100000000-create-bot.migration.js';
import { BotConversations1765100000001 } from './1765100000001-bot-conversations.migration.js';
import { ArticleStats1765100000002 } from './1765100000002-article-stats.migration.js';
import { ChannelBotModes1765100000003 } from './1765100000003-channel-bot-modes.migration.js';

/** Every bot migration, oldest first. */
export const botMigrations = [
  CreateBot1765100000000,
  BotConversations1765100000001,
  ArticleStats1765100000002,
  ChannelBotModes1765100000003,
];
