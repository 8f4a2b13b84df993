import { Module } from '@nestjs/common';
import { HISTORY_API } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/platform';
import { HistoryApiService } from './api/history-api.service.js';
import { AssignmentConsumer } from './assignments/assignment.consumer.js';
import { AssignmentService } from './assignments/assignment.service.js';
import { ConversationsService } from './conversations/conversations.service.js';
import { CsatService } from './conversations/csat.service.js';
import { CustomersService } from './customers/customers.service.js';
import { DeliveryStatusConsumer } from './delivery-status/delivery-status.consumer.js';
import { DeliveryStatusService } from './delivery-status/delivery-status.service.js';
import { IdentityOptOutService } from './identities/identity-opt-out.service.js';
import { InboundMessageConsumer } from './inbound/inbound-message.consumer.js';
import { InboundMessageService } from './inbound/inbound-message.service.js';
import { MergeService } from './merges/merge.service.js';
import { historyMigrations } from './migrations/index.js';
import { OutboundMessageService } from './outbound/outbound-message.service.js';
import { OutboundRequestConsumer } from './outbound/outbound-request.consumer.js';
import { ReplayService } from './replay/replay.service.js';
import { OutboxRelay } from './outbox/outbox-relay.service.js';
import { PrivacyService } from './privacy/privacy.service.js';
import { TimelineService } from './timeline/timeline.service.js';
import { SearchService } from './search/search.service.js';
import { LabelsService } from './labels/labels.service.js';
import { ConversationOpeningService } from './conversations/conversation-opening.service.js';

/**
 * History, the system of record: what it owns, composed the same way whether it runs alone
 * (`HistoryAppModule`) or beside every other service (`StandaloneModule`). Other modules use it
 * through `HISTORY_API` (the HistoryApi port, `docs/history.md`), never through its services.
 */
@Module({
  imports: [DatabaseModule.forService({ schema: 'history', migrations: historyMigrations })],
  providers: [
    OutboxRelay,
    InboundMessageService,
    InboundMessageConsumer,
    IdentityOptOutService,
    CsatService,
    DeliveryStatusService,
    DeliveryStatusConsumer,
    AssignmentService,
    AssignmentConsumer,
    CustomersService,
    MergeService,
    PrivacyService,
    TimelineService,
    SearchService,
    LabelsService,
    ConversationOpeningService,
    ConversationsService,
    ReplayService,
    OutboundMessageService,
    OutboundRequestConsumer,
    HistoryApiService,
    { provide: HISTORY_API, useExisting: HistoryApiService },
  ],
  exports: [HISTORY_API],
})
export class HistoryModule {}
