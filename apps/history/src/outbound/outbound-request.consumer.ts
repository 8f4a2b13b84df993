import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiError, OutboundMessageRequestedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { createLogger, isTransientDatabaseError } from '@switchboard/platform';
import { OutboundMessageService } from './outbound-message.service.js';

/**
 * Sends asked for on the log (`outbound-requests`) rather than through HistoryApi: the same
 * `sendMessage`, so the idempotency key makes redelivery harmless. A request the state refuses
 * (opted out, unknown customer) is logged and skipped: retrying would refuse it again.
 */
@Injectable()
export class OutboundRequestConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('history.outbound-requests');
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
          try {
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
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            this.logger.warn(
              { eventId: event.id, code: error.code, reason: error.message },
              'outbound request refused',
            );
          }
        }
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
