import { CreateBot1765100000000 } from './1765100000000-create-bot.migration.js';

/** Every bot migration, oldest first. */
export const botMigrations = [CreateBot1765100000000];
