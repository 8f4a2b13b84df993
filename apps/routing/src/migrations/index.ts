import { CreateRouting1764100000000 } from './1764100000000-create-routing.migration.js';
import { RoutingJournalAgeIndex1764950000000 } from './1764950000000-routing-journal-age-index.migration.js';
import { RoutingBotChannels1765200000000 } from './1765200000000-routing-bot-channels.migration.js';
import { RoutingInputsTrace1765310500000 } from './1765310500000-routing-inputs-trace.migration.js';
import { RoutingJournalKeyedByWorkspace1765400000000 } from './1765400000000-routing-journal-keyed-by-workspace.migration.js';

/** Every routing migration, oldest first. */
export const routingMigrations = [
  CreateRouting1764100000000,
  RoutingJournalAgeIndex1764950000000,
  RoutingBotChannels1765200000000,
  RoutingInputsTrace1765310500000,
  RoutingJournalKeyedByWorkspace1765400000000,
];
