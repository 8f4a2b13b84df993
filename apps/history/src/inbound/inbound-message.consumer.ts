import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { EventBus, type SubscriptionHandle } from '@switchboard/messaging';
import { createLogger, isTransientDatabaseError } from '@switchboard/platform';
import { InboundMessageService } from './inbound-message.service.js';

/** Reads customers' messages off the inbound topic and hands them to the service. */
@Injectable()
export class InboundMessageConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('history.inbound');
  private subscription: SubscriptionHandle | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly inbound: InboundMessageService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: 'history.inbound',
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1],
      // A database outage is waited out, never dead-lettered.
      retry: { isTransient: isTransientDatabaseError },
      handleBatch: async (batch) => {
        const result = await this.inbound.ingest(batch.map((c) => c.event));
        if (result.duplicates > 0) this.logger.debug({ ...result }, 'dropped duplicate inbound messages');
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
