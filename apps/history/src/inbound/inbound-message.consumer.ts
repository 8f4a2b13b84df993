import { Injectable } from '@nestjs/common';
import { CsatSubmittedV1, IdentityOptOutChangedV1, InboundMessageReceivedV1 } from '@switchboard/contracts';
import { EventBus, EventConsumer, consume } from '@switchboard/messaging';
import { createLogger, isTransientDatabaseError } from '@switchboard/platform';
import { CsatService } from '../conversations/csat.service.js';
import { IdentityOptOutService } from '../identities/identity-opt-out.service.js';
import { InboundMessageService } from './inbound-message.service.js';

/**
 * Reads the inbound topic: customers' messages (in batches), opt-outs and ratings, in the order
 * the channel published them for each sender.
 */
@Injectable()
export class InboundMessageConsumer extends EventConsumer {
  private readonly logger = createLogger('history.inbound');

  constructor(
    bus: EventBus,
    private readonly inbound: InboundMessageService,
    private readonly optOuts: IdentityOptOutService,
    private readonly csat: CsatService,
  ) {
    super(bus);
  }

  protected subscriptions() {
    return [
      consume({
        groupId: 'history.inbound',
        accepts: [InboundMessageReceivedV1, IdentityOptOutChangedV1, CsatSubmittedV1],
        // Ingest costs a fixed number of statements per batch: bigger batches, fewer of them.
        maxBatchSize: 1_000,
        // A database outage is waited out, never dead-lettered.
        retry: { isTransient: isTransientDatabaseError },
        handleBatch: async (batch) => {
          // Consecutive messages go in one set-based write; the rest one by one, in order.
          let run: InboundMessageReceivedV1[] = [];
          const flush = async () => {
            if (run.length === 0) return;
            const result = await this.inbound.ingest(run);
            if (result.duplicates > 0) this.logger.debug({ ...result }, 'dropped duplicate inbound messages');
            run = [];
          };
          for (const { event } of batch) {
            const e = event;
            if (e.type === InboundMessageReceivedV1.type) {
              run.push(e);
              continue;
            }
            await flush();
            if (e.type === IdentityOptOutChangedV1.type) await this.optOuts.apply(e);
            else await this.csat.record(e);
          }
          await flush();
        },
      }),
    ];
  }
}
