import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { OutboundMessageRequestedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
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
export class OutboundRequestConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly outbound: OutboundMessageService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'history.outbound-requests',
      topics: [Topics.outboundRequests],
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
            sender: p.sender,
          });
        }
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
