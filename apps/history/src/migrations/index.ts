import { CreateMessages1764000000000 } from './1764000000000-create-messages.migration.js';

/** Every history migration, oldest first. */
export const historyMigrations = [CreateMessages1764000000000];
