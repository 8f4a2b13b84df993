import { Injectable } from '@nestjs/common';
import { BotHoldChangedV1, ConversationAssignedV1, ConversationUnassignedV1 } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { AssignmentService } from './assignment.service.js';

/**
 * Routing's decisions off the routing topic: assignments, offers and unassignments, in order, and
 * the bot's holds (kept for a replay, ADR 0106).
 */
@Injectable()
export class AssignmentConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly assignments: AssignmentService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'history.routing',
        accepts: [ConversationAssignedV1, ConversationUnassignedV1, BotHoldChangedV1],
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          await this.assignments.record(batch.map((c) => c.event));
        },
      }),
    ];
  }
}
