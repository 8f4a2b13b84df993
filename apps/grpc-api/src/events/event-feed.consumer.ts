import { Injectable } from '@nestjs/common';
import {
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  DeliveryStatusChangedV1,
} from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { createLogger, isTransientDatabaseError } from '@switchboard/platform';
import { EventFeedService } from './event-feed.service.js';

/** The events integrators can subscribe to, by the topic they travel on. */
export const FEED_EVENTS = [
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationAssignedV1,
  DeliveryStatusChangedV1,
  BotHoldChangedV1,
] as const;

/** Copies the workspace-keyed topics integrators watch into the feed that EventService streams. */
@Injectable()
export class EventFeedConsumer extends EventConsumer {
  private readonly logger = createLogger('grpc-api.events');

  constructor(
    bus: EventBus,
    private readonly feed: EventFeedService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'grpc-api.events',
        accepts: FEED_EVENTS,
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          const added = await this.feed.append(batch.map((c) => c.event));
          if (added < batch.length)
            this.logger.debug({ duplicates: batch.length - added }, 'skipped stored events');
        },
      }),
    ];
  }
}
