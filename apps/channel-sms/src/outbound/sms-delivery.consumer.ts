import { Injectable } from '@nestjs/common';
import { MessageDeliveryRequestedV1 } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { MediaStoreUnavailableError } from '../media/mms-media.service.js';
import { SmsDeliveryService, TwilioUnavailableError } from './sms-delivery.service.js';

/** Takes delivery requests for SMS off the deliveries topic and hands them to the service, in order. */
@Injectable()
export class SmsDeliveryConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly delivery: SmsDeliveryService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'channel-sms.deliveries',
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
      }),
    ];
  }
}
