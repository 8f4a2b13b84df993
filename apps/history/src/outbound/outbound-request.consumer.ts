import { Injectable } from '@nestjs/common';
import { OutboundMessageRequestedV1 } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { OutboundMessageService } from './outbound-message.service.js';

/**
 * Sends asked for on the log (`outbound-requests`) rather than through HistoryApi: the same
 * `sendMessage`, so the idempotency key makes redelivery harmless. A request refused (invalid,
 * opted out, unknown customer) fails like any handler error: the bus retries it, then moves it to
 * `outbound-requests.dlq` with the reason, where the integrator's operator can see and replay it;
 * the sends around it in the batch go through (their keys make the retries harmless).
 */
@Injectable()
export class OutboundRequestConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly outbound: OutboundMessageService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'history.outbound-requests',
        accepts: [OutboundMessageRequestedV1],
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          for (const { event } of batch) {
            const p = event.payload;
            await this.outbound.send(event.workspaceId, {
              idempotencyKey: p.idempotencyKey,
              ...(p.customerId !== undefined ? { customerId: p.customerId } : {}),
              ...(p.conversationId !== undefined ? { conversationId: p.conversationId } : {}),
              ...(p.channel !== undefined ? { channel: p.channel } : {}),
              ...(p.channelAccountId !== undefined ? { channelAccountId: p.channelAccountId } : {}),
              internalNote: p.internalNote,
              text: p.text,
              attachments: p.attachments,
              ...(p.template !== undefined ? { template: p.template } : {}),
              ...(p.form !== undefined ? { form: p.form } : {}),
              sender: p.sender,
            });
          }
        },
      }),
    ];
  }
}
