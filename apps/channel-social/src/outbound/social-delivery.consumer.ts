import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MessageDeliveryRequestedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import {
  SocialDeliveryService,
  SocialMediaStoreUnavailableError,
  SocialProviderUnavailableError,
} from './social-delivery.service.js';

/** Takes delivery requests for the social channels off the deliveries topic, in order. */
@Injectable()
export class SocialDeliveryConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly delivery: SocialDeliveryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'channel-social.deliveries',
      topics: [Topics.deliveries],
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
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
