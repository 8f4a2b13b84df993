import { Injectable } from '@nestjs/common';
import { MessageDeliveryRequestedV1 } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import {
  SocialDeliveryService,
  SocialMediaStoreUnavailableError,
  SocialProviderUnavailableError,
} from './social-delivery.service.js';

/** Takes delivery requests for the social channels off the deliveries topic, in order. */
@Injectable()
export class SocialDeliveryConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly delivery: SocialDeliveryService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'channel-social.deliveries',
        accepts: [MessageDeliveryRequestedV1],
        // A database, provider or attachment-store outage is waited out (the workspace's replies
        // wait, in order), never dead-lettered.
        retry: {
          isTransient: (error) =>
            isTransientDatabaseError(error) ||
            error instanceof SocialProviderUnavailableError ||
            error instanceof SocialMediaStoreUnavailableError,
        },
        handleBatch: async (batch) => {
          for (const { event } of batch) await this.delivery.deliver(event);
        },
      }),
    ];
  }
}
