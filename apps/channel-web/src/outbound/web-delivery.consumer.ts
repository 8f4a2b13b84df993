import { Injectable } from '@nestjs/common';
import {
  BotHoldChangedV1,
  ConversationStatusChangedV1,
  MessageDeliveryRequestedV1,
  ParticipantActivityV1,
} from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { DeliveryReceiptsService } from './delivery-receipts.service.js';
import { WebDeliveryService } from './web-delivery.service.js';

/**
 * Four subscriptions, each its own group so a slow one never holds the others: replies for the
 * web channel (`deliveries`), resolutions (`conversations`), bot holds (`routing`), agents' typing
 * and reads (`activity`).
 */
@Injectable()
export class WebDeliveryConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly delivery: WebDeliveryService,
    private readonly receipts: DeliveryReceiptsService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    const retry = { isTransient: isTransientDatabaseError };
    return [
      consume({
        groupId: 'channel-web.deliveries',
        accepts: [MessageDeliveryRequestedV1],
        retry,
        // A workspace's replies are one partition: its next batch is fetched while one is stored
        // (ADR 0148), not after.
        fetchAhead: true,
        handleBatch: (batch) => this.delivery.deliverBatch(batch.map(({ event }) => event)),
      }),
      consume({
        groupId: 'channel-web.conversations',
        accepts: [ConversationStatusChangedV1],
        retry,
        handleBatch: async (batch) => {
          for (const { event } of batch) await this.delivery.conversationStatusChanged(event);
        },
      }),
      consume({
        groupId: 'channel-web.bot',
        accepts: [BotHoldChangedV1],
        retry,
        handleBatch: async (batch) => {
          for (const { event } of batch) await this.delivery.botHoldChanged(event);
        },
      }),
      consume({
        groupId: 'channel-web.activity',
        accepts: [ParticipantActivityV1],
        retry,
        handleBatch: async (batch) => {
          for (const { event } of batch) await this.delivery.agentActivity(event);
        },
      }),
    ];
  }

  override async beforeApplicationShutdown(): Promise<void> {
    await super.beforeApplicationShutdown();
    // The last batch's `sent` statuses go out before the bus closes.
    await this.receipts.drain();
  }
}
