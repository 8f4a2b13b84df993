import { CreateInbox1764200000000 } from './1764200000000-create-inbox.migration.js';

/** Every inbox migration, oldest first. */
export const inboxMigrations = [CreateInbox1764200000000];
