import { Injectable } from '@nestjs/common';
import {
  AgentPresenceChangedV1,
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  DeliveryStatusChangedV1,
  ParticipantActivityV1,
} from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { createLogger } from '@switchboard/platform';
import { SnoozesService } from '../snoozes/snoozes.service.js';
import { LiveHub } from './live-hub.service.js';
import { InboxReplica } from './replica-id.util.js';

/** Typing older than this is stale by the time it would reach anyone. */
const TYPING_TTL_MS = 10_000;

/**
 * Feeds the WebSockets from the event log. Every replica must see every event (an agent's socket
 * can be on any of them), so each replica consumes in a group of its own, `inbox.live.<replica>`,
 * rather than sharing one group whose partitions would be split between replicas (ADR 0051).
 * The group is ephemeral: it starts with what is published once the replica is up (what came
 * before is history, which the API serves) and is gone when the replica stops.
 * Nothing here is durable: a missed live event is caught up by the next list or view request.
 */
@Injectable()
export class LiveEventsConsumer extends EventConsumer {
  private readonly logger = createLogger('inbox.live');

  constructor(
    private readonly replica: InboxReplica,
    bus: EventBus,
    private readonly hub: LiveHub,
    private readonly snoozes: SnoozesService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: `inbox.live.${this.replica.id}`,
        ephemeral: true,
        // On conversations, routing, delivery-status, activity and agents.
        accepts: [
          ConversationMessageAppendedV1,
          ConversationStatusChangedV1,
          ConversationAssignedV1,
          DeliveryStatusChangedV1,
          ParticipantActivityV1,
          AgentPresenceChangedV1,
          // "With the bot" and its hand-offs, live (ADR 0080).
          BotHoldChangedV1,
        ],
        // Fan-out to sockets cannot fail in a way a retry would fix; never hold the partition.
        retry: { maxAttempts: 1 },
        handleBatch: async (batch) => {
          const now = Date.now();
          for (const { event, topic } of batch) {
            const stale = now - Date.parse(event.occurredAt) > TYPING_TTL_MS;
            if (event.type === ParticipantActivityV1.type && stale) continue;
            // Woken before the sockets hear of it, so the list they refetch shows it (ADR 0112);
            // the durable snooze-wakes group does it too, for messages no replica was up to see.
            if (event.type === ConversationMessageAppendedV1.type && event.payload.direction === 'in')
              await this.snoozes
                .wake(event.workspaceId, event.payload.conversationId, event.payload.createdAt)
                .catch((error: unknown) => this.logger.warn({ err: error }, 'snooze not woken here'));
            this.hub.broadcast(event.workspaceId, {
              type: 'event',
              topic,
              event: { id: event.id, type: event.type, occurredAt: event.occurredAt, payload: event.payload },
            });
          }
        },
      }),
    ];
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    this.logger.info({ replicaId: this.replica.id }, 'live updates consumer started');
  }
}
