import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DeliveryStatusChangedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { DeliveryStatusService } from './delivery-status.service.js';

/** Delivery receipts from every channel adapter, for the messages agents sent. */
@Injectable()
export class DeliveryStatusConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly statuses: DeliveryStatusService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'history.delivery-status',
      topics: [Topics.deliveryStatus],
      accepts: [DeliveryStatusChangedV1],
      retry: { isTransient: isTransientDatabaseError },
      handleBatch: async (batch) => {
        await this.statuses.apply(batch.map((c) => c.event));
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
