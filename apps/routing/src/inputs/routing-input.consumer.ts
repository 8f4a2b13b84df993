import { Injectable } from '@nestjs/common';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { inputFromEvent, routingInputEvents } from './routing-input.js';
import { RoutingJournalRepository, type JournalEntry } from './routing-journal.repository.js';

/**
 * Journals what routing must act on from the conversations, agents and routing-commands topics.
 * Only journals: the workspace's owner applies the journal in order (ADR 0020), so which instance
 * Kafka hands a partition to does not matter. Offsets commit once the batch is in the journal.
 */
@Injectable()
export class RoutingInputConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly journal: RoutingJournalRepository,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'routing.inputs',
        accepts: routingInputEvents,
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          const entries: JournalEntry[] = [];
          for (const { event } of batch) {
            const input = inputFromEvent(event);
            if (input)
              entries.push({
                workspaceId: event.workspaceId,
                eventId: event.id,
                input,
                occurredAt: event.occurredAt,
              });
          }
          await this.journal.append(entries);
        },
      }),
    ];
  }
}
