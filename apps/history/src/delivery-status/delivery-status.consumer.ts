import { Injectable } from '@nestjs/common';
import { DeliveryStatusChangedV1 } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { DeliveryStatusService } from './delivery-status.service.js';

/** Delivery receipts from every channel adapter, for the messages agents sent. */
@Injectable()
export class DeliveryStatusConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly statuses: DeliveryStatusService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'history.delivery-status',
        accepts: [DeliveryStatusChangedV1],
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          await this.statuses.apply(batch.map((c) => c.event));
        },
      }),
    ];
  }
}
