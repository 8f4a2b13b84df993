import { Module } from '@nestjs/common';
import { DatabaseModule } from '@switchboard/platform';
import { InboundMessageConsumer } from './inbound/inbound-message.consumer.js';
import { InboundMessageService } from './inbound/inbound-message.service.js';
import { historyMigrations } from './migrations/index.js';

/**
 * History, the system of record: what it owns, composed the same way whether it runs alone
 * (`HistoryAppModule`) or beside every other service (`StandaloneModule`).
 */
@Module({
  imports: [DatabaseModule.forService({ schema: 'history', migrations: historyMigrations })],
  providers: [InboundMessageService, InboundMessageConsumer],
  exports: [InboundMessageService],
})
export class HistoryModule {}
