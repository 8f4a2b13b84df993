import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { inputFromEvent, routingInputEvents } from './routing-input.js';
import { RoutingJournalRepository, type JournalEntry } from './routing-journal.repository.js';

/**
 * Journals what routing must act on from the conversations, agents and routing-commands topics.
 * Only journals: the workspace's owner applies the journal in order (ADR 0020), so which instance
 * Kafka hands a partition to does not matter. Offsets commit once the batch is in the journal.
 */
@Injectable()
export class RoutingInputConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly journal: RoutingJournalRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'routing.inputs',
      topics: [Topics.conversations, Topics.agents, Topics.routingCommands],
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
    });
  }

  /** Settles once the consumer has joined its group (tests wait on it). */
  get assigned(): Promise<void> {
    return this.subscription?.assigned ?? Promise.resolve();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
