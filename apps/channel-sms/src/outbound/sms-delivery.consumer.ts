import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MessageDeliveryRequestedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { MediaStoreUnavailableError } from '../media/mms-media.service.js';
import { SmsDeliveryService, TwilioUnavailableError } from './sms-delivery.service.js';

/** Takes delivery requests for SMS off the deliveries topic and hands them to the service, in order. */
@Injectable()
export class SmsDeliveryConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly delivery: SmsDeliveryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'channel-sms.deliveries',
      topics: [Topics.deliveries],
      accepts: [MessageDeliveryRequestedV1],
      // A database, Twilio or attachment-store outage is waited out (the workspace's replies wait,
      // in order), never dead-lettered: the replies go out when the service is back.
      retry: {
        isTransient: (error) =>
          isTransientDatabaseError(error) ||
          error instanceof TwilioUnavailableError ||
          error instanceof MediaStoreUnavailableError,
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
