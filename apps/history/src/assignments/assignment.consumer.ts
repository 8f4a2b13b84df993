import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ConversationAssignedV1, ConversationUnassignedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { AssignmentService } from './assignment.service.js';

/** Routing's decisions off the routing topic: assignments, offers and unassignments, in order. */
@Injectable()
export class AssignmentConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly assignments: AssignmentService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'history.routing',
      topics: [Topics.routing],
      accepts: [ConversationAssignedV1, ConversationUnassignedV1],
      retry: { isTransient: isTransientDatabaseError },
      handleBatch: async (batch) => {
        await this.assignments.record(batch.map((c) => c.event));
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
