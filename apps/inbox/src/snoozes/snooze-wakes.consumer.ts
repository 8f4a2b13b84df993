import { Injectable } from '@nestjs/common';
import { ConversationMessageAppendedV1 } from '@switchboard/contracts';
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
          for (const { event } of batch) {
            if (event.payload.direction !== 'in') continue;
            await this.snoozes.wake(event.workspaceId, event.payload.conversationId, event.payload.createdAt);
          }
        },
      }),
    ];
  }
}
