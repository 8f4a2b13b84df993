import { Module } from '@nestjs/common';
import { DatabaseModule } from '@switchboard/platform';
import { reportingMigrations } from '../migrations/index.js';
import { RebuildModule } from './rebuild.module.js';

/**
 * The rebuild on a command's own small pool of the reporting schema, for `npm run
 * reports:rebuild` in either deployment: beside HISTORY_API from internal RPC (each app alone) or
 * from history's records in process (the standalone).
 */
@Module({
  imports: [
    DatabaseModule.forService({
      schema: 'reporting',
      migrations: reportingMigrations,
      poolSize: 2,
      connectAttempts: 1,
    }),
    RebuildModule,
  ],
  exports: [RebuildModule],
})
export class RebuildStoreModule {}
