import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ConversationAssignedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  DeliveryStatusChangedV1,
  Topics,
} from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { createLogger, isTransientDatabaseError } from '@switchboard/platform';
import { EventFeedService } from './event-feed.service.js';

/** The events integrators can subscribe to, by the topic they travel on. */
export const FEED_EVENTS = [
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationAssignedV1,
  DeliveryStatusChangedV1,
] as const;

/** Copies the workspace-keyed topics integrators watch into the feed that EventService streams. */
@Injectable()
export class EventFeedConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('grpc-api.events');
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly feed: EventFeedService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'grpc-api.events',
      topics: [Topics.conversations, Topics.routing, Topics.deliveryStatus],
      accepts: FEED_EVENTS,
      retry: { isTransient: isTransientDatabaseError },
      handleBatch: async (batch) => {
        const added = await this.feed.append(batch.map((c) => c.event));
        if (added < batch.length)
          this.logger.debug({ duplicates: batch.length - added }, 'skipped stored events');
      },
    });
  }

  /** Resolves once the consumer has its partitions (tests wait for it before publishing). */
  get assigned(): Promise<void> {
    return this.subscription?.assigned ?? Promise.resolve();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
