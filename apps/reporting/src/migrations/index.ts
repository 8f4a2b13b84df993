import { CreateReporting1766000000000 } from './1766000000000-create-reporting.migration.js';
import { ErasedConversations1766000000001 } from './1766000000001-erased-conversations.migration.js';
import { ConversationLabels1766000000019 } from './1766000000019-conversation-labels.migration.js';
import { RebuildStaging1766100000000 } from './1766100000000-rebuild-staging.migration.js';
import { RebuildLabels1766200000000 } from './1766200000000-rebuild-labels.migration.js';

/** Every reporting migration, oldest first. */
export const reportingMigrations = [
  CreateReporting1766000000000,
  ErasedConversations1766000000001,
  ConversationLabels1766000000019,
  RebuildStaging1766100000000,
  RebuildLabels1766200000000,
];
