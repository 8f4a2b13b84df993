import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ConversationStatusChangedV1,
  MessageDeliveryRequestedV1,
  ParticipantActivityV1,
  Topics,
} from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { DeliveryReceiptsService } from './delivery-receipts.service.js';
import { WebDeliveryService } from './web-delivery.service.js';

/**
 * Three subscriptions, each its own group so a slow one never holds the others: replies for the
 * web channel (`deliveries`), resolutions (`conversations`), agents' typing and reads (`activity`).
 */
@Injectable()
export class WebDeliveryConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscriptions: SubscriptionHandle[] = [];

  constructor(
    private readonly bus: EventBus,
    private readonly delivery: WebDeliveryService,
    private readonly receipts: DeliveryReceiptsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const retry = { isTransient: isTransientDatabaseError };
    this.subscriptions = await Promise.all([
      this.bus.subscribe({
        groupId: 'channel-web.deliveries',
        topics: [Topics.deliveries],
        accepts: [MessageDeliveryRequestedV1],
        retry,
        handleBatch: (batch) => this.delivery.deliverBatch(batch.map(({ event }) => event)),
      }),
      this.bus.subscribe({
        groupId: 'channel-web.conversations',
        topics: [Topics.conversations],
        accepts: [ConversationStatusChangedV1],
        retry,
        handleBatch: async (batch) => {
          for (const { event } of batch) await this.delivery.conversationStatusChanged(event);
        },
      }),
      this.bus.subscribe({
        groupId: 'channel-web.activity',
        topics: [Topics.activity],
        accepts: [ParticipantActivityV1],
        retry,
        handleBatch: async (batch) => {
          for (const { event } of batch) await this.delivery.agentActivity(event);
        },
      }),
    ]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
    // The last batch's `sent` statuses go out before the bus closes.
    await this.receipts.drain();
  }
}
