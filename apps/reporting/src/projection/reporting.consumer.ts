import { Injectable } from '@nestjs/common';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { isTransientDatabaseError } from '@switchboard/platform';
import { REPORTED_EVENTS } from './fact.js';
import { ProjectionService } from './projection.service.js';

/**
 * Group `reporting.events`: conversations, routing, agents and the customers' ratings (inbound)
 * into the reporting tables, one transaction per batch, offsets committed after it.
 */
@Injectable()
export class ReportingConsumer extends EventConsumer {
  constructor(
    bus: EventBus,
    private readonly projection: ProjectionService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'reporting.events',
        accepts: [...REPORTED_EVENTS],
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: (batch) => this.projection.apply(batch.map(({ event }) => event)),
      }),
    ];
  }
}
