import { Module, type DynamicModule } from '@nestjs/common';
import { historyApiPort } from '@switchboard/contracts';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  historyApiUrlVariables,
  HistoryApiClientConfig,
  internalRpcClientVariables,
  InternalRpcModule,
  LoggingModule,
  PlatformConfigModule,
  storageVariables,
  type Environment,
} from '@switchboard/platform';
import { RebuildStoreModule } from './rebuild-store.module.js';

/** What `npm run reports:rebuild` reads: the database, and where history serves its interface. */
export const RebuildCliConfig = defineConfig(
  {
    ...coreVariables,
    ...databaseVariables,
    // SWITCHBOARD_DATA_DIR: the commands' shared start-up looks for an embedded database there.
    ...storageVariables,
    ...historyApiUrlVariables,
    ...internalRpcClientVariables,
  },
  'RebuildCliConfig',
);

/** Just enough of reporting for the rebuild command: its schema, HistoryApi over internal RPC. */
@Module({})
export class RebuildCliModule {
  static forRoot(overrides: Environment): DynamicModule {
    return {
      module: RebuildCliModule,
      imports: [
        PlatformConfigModule.forRoot(RebuildCliConfig, { overrides }),
        LoggingModule,
        InternalRpcModule.client(historyApiPort, HistoryApiClientConfig, 'HISTORY_API_URL'),
        RebuildStoreModule,
      ],
    };
  }
}
