import { Module, type DynamicModule } from '@nestjs/common';
import { HistoryReplayModule } from '@switchboard/app-history/replay';
import { RebuildStoreModule } from '@switchboard/app-reporting/rebuild';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  internalRpcClientVariables,
  internalRpcUrlVariable,
  LoggingModule,
  PlatformConfigModule,
  storageVariables,
  type Environment,
} from '@switchboard/platform';

/**
 * What `npm run reports:rebuild` reads: the database (unset: the embedded one of `npm start`), and
 * HISTORY_API_URL only when each app runs alone.
 */
export const ReportsRebuildConfig = defineConfig(
  {
    ...coreVariables,
    ...databaseVariables,
    ...storageVariables,
    HISTORY_API_URL: internalRpcUrlVariable(
      'history',
      'its records, for a rebuild of reporting. Unset: read from this database, as the standalone holds them.',
      { optional: true },
    ),
    ...internalRpcClientVariables,
  },
  'ReportsRebuildConfig',
);

/**
 * The standalone deployment's rebuild (ADR 0118): history's records and the reporting store in one
 * database, so the command reads the records in its own process (`HistoryReplayModule`: history's
 * replay and nothing else of it) beside the same rebuild reporting runs alone. The running `npm
 * start` keeps consuming; its batches and the swap meet on the workspace's advisory lock.
 */
@Module({})
export class ReportsRebuildModule {
  static forRoot(overrides: Environment): DynamicModule {
    return {
      module: ReportsRebuildModule,
      imports: [
        PlatformConfigModule.forRoot(ReportsRebuildConfig, { overrides }),
        LoggingModule,
        HistoryReplayModule,
        RebuildStoreModule,
      ],
    };
  }
}
