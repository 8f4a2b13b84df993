import { Global, Module } from '@nestjs/common';
import { HISTORY_API, type HistoryApi } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/platform';
import { parseReplayQuery } from '../api/history-queries.schema.js';
import { historyMigrations } from '../migrations/index.js';
import { ReplayService } from './replay.service.js';

/**
 * History's records alone (ADR 0106, 0118), for the standalone deployment's `npm run
 * reports:rebuild`: `replayRecords` on history's schema in the command's own process, without the
 * rest of history (no consumer joins a group, no relay publishes). Under HISTORY_API, global like
 * the internal RPC client it stands in for; it answers `replayRecords` only, all the rebuild asks.
 */
@Global()
@Module({
  imports: [
    DatabaseModule.forService({
      schema: 'history',
      migrations: historyMigrations,
      poolSize: 2,
      connectAttempts: 1,
    }),
  ],
  providers: [
    ReplayService,
    {
      provide: HISTORY_API,
      useFactory: (replay: ReplayService): Pick<HistoryApi, 'replayRecords'> => ({
        // The command checked the workspace id; the query is checked as HistoryApiService checks it.
        replayRecords: (workspaceId, query) => replay.records(workspaceId, parseReplayQuery(query)),
      }),
      inject: [ReplayService],
    },
  ],
  exports: [HISTORY_API],
})
export class HistoryReplayModule {}
