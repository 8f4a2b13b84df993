import { Injectable } from '@nestjs/common';
import { ConversationMessageAppendedV1, type EventEnvelope, type EventOf } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { SnoozesService } from './snoozes.service.js';

/**
 * What each of this group's fetches waits for on the broker (or its half second): the live feed
 * wakes a snoozed conversation before its frames, so this group is the backstop, and half a second
 * later costs nobody anything. A busy log is then read in two large batches a second rather than
 * in one small batch per partition with every few messages: its fetches, statements and commits
 * per message fall (ADR 0162).
 */
const FETCH_MIN_BYTES = 1024 * 1024;

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
        fetchMinBytes: FETCH_MIN_BYTES,
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
