import { CreateMessages1764000000000 } from './1764000000000-create-messages.migration.js';
import { CreateSystemOfRecord1764000100000 } from './1764000100000-create-system-of-record.migration.js';
import { MergesRememberResolvedConversation1764000200000 } from './1764000200000-merges-remember-resolved-conversation.migration.js';
import { OutboxEntriesUncompressed1764000300000 } from './1764000300000-outbox-entries-uncompressed.migration.js';
import { MessagesInboundChannels1764000400000 } from './1764000400000-messages-inbound-channels.migration.js';
import { DropWorkspaces1764000500000 } from './1764000500000-drop-workspaces.migration.js';
import { SearchAndLabels1764950000000 } from './1764950000000-search-and-labels.migration.js';
import { MergesRememberLabels1765000000000 } from './1765000000000-merges-remember-labels.migration.js';
import { RecordsForReplay1765100000000 } from './1765100000000-records-for-replay.migration.js';
import { SearchFilterIndexes1765122000000 } from './1765122000000-search-filter-indexes.migration.js';
import { ConversationLabelChanges1765180000000 } from './1765180000000-conversation-label-changes.migration.js';
import { MessagesProviderIdLeads1765310000000 } from './1765310000000-messages-provider-id-leads.migration.js';
import { StatusChangesRecordedByTheirStatement1765420000000 } from './1765420000000-status-changes-recorded-by-their-statement.migration.js';

/** Every history migration, oldest first. */
export const historyMigrations = [
  CreateMessages1764000000000,
  CreateSystemOfRecord1764000100000,
  MergesRememberResolvedConversation1764000200000,
  OutboxEntriesUncompressed1764000300000,
  MessagesInboundChannels1764000400000,
  DropWorkspaces1764000500000,
  SearchAndLabels1764950000000,
  MergesRememberLabels1765000000000,
  RecordsForReplay1765100000000,
  SearchFilterIndexes1765122000000,
  ConversationLabelChanges1765180000000,
  MessagesProviderIdLeads1765310000000,
  StatusChangesRecordedByTheirStatement1765420000000,
];
