import { Injectable } from '@nestjs/common';
import { ConversationMessageAppendedV1, type EventEnvelope, type EventOf } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { SnoozesService } from './snoozes.service.js';

/**
 * Wakes a snoozed conversation when its customer writes (ADR 0112). A durable group shared by the
 * replicas, so a message that arrived while every inbox replica was down still wakes it when one
 * is back; the live feed wakes it too, before telling the sockets, so lists refetched on that
 * event already show it.
 */
@Injectable()
export class SnoozeWakesConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly snoozes: SnoozesService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'inbox.snooze-wakes',
        accepts: [ConversationMessageAppendedV1],
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          await this.snoozes.wake(customersWrote(batch.map((b) => b.event)));
        },
      }),
    ];
  }
}

/** The customers' messages among these events, as `SnoozesService.wake` takes them. */
export function customersWrote(
  events: readonly EventEnvelope[],
): { workspaceId: string; conversationId: string; wroteAt: string }[] {
  return events.flatMap((event) => {
    if (event.type !== ConversationMessageAppendedV1.type) return [];
    const { payload } = event as EventOf<typeof ConversationMessageAppendedV1>;
    return payload.direction === 'in'
      ? [
          {
            workspaceId: event.workspaceId,
            conversationId: payload.conversationId,
            wroteAt: payload.createdAt,
          },
        ]
      : [];
  });
}
