import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DeliveryStatusChangedV1, type DeliveryStatus, Topics } from '@switchboard/contracts';
import { EventBus, type OutgoingEvent } from '@switchboard/messaging';
import { createLogger } from '@switchboard/platform';
import { TranscriptService } from '../transcript/transcript.service.js';

const FLUSH_MS = 25;

/**
 * Reports `delivered` when a socket got a reply and `read` when the customer read it. Deliveries
 * are gathered for a few milliseconds and marked in one UPDATE per contact: a burst of replies to
 * ten thousand sockets is not ten thousand round trips. The mark is undone if the status cannot be
 * published, so the next socket to get the reply reports it.
 */
@Injectable()
export class DeliveryReceiptsService implements OnApplicationShutdown {
  private readonly logger = createLogger('channel-web.receipts');
  private pending = new Map<string, { workspaceId: string; channelAccountId: string; seqs: number[] }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly transcript: TranscriptService,
    private readonly bus: EventBus,
  ) {}

  delivered(workspaceId: string, channelAccountId: string, contactId: string, seq: number): void {
    const entry = this.pending.get(contactId) ?? { workspaceId, channelAccountId, seqs: [] };
    entry.seqs.push(seq);
    this.pending.set(contactId, entry);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, FLUSH_MS);
  }

  async publish(
    workspaceId: string,
    channelAccountId: string,
    status: DeliveryStatus,
    marked: readonly { id: string; at: Date }[],
  ): Promise<void> {
    if (marked.length === 0) return;
    await this.bus.publish(
      marked.map(({ id, at }) => statusEvent(workspaceId, channelAccountId, id, status, at)),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const events: OutgoingEvent[] = [];
    const marks: { workspaceId: string; contactId: string; ids: string[] }[] = [];
    for (const [contactId, { workspaceId, channelAccountId, seqs }] of batch) {
      try {
        const marked = await this.transcript.markDelivered(workspaceId, contactId, seqs);
        marks.push({ workspaceId, contactId, ids: marked.map((m) => m.id) });
        for (const { id, at } of marked)
          events.push(statusEvent(workspaceId, channelAccountId, id, 'delivered', at));
      } catch (error) {
        this.logger.warn({ err: error, contactId }, 'could not record deliveries');
      }
    }
    if (events.length === 0) return;
    try {
      await this.bus.publish(events);
    } catch (error) {
      this.logger.warn(
        { err: error, count: events.length },
        'could not publish delivery statuses; will report on next delivery',
      );
      for (const mark of marks)
        await this.transcript
          .unmarkDelivered(mark.workspaceId, mark.contactId, mark.ids)
          .catch(() => undefined);
    }
  }
}

function statusEvent(
  workspaceId: string,
  channelAccountId: string,
  messageId: string,
  status: DeliveryStatus,
  at: Date,
): OutgoingEvent {
  return {
    topic: Topics.deliveryStatus,
    key: workspaceId,
    event: DeliveryStatusChangedV1.create({
      workspaceId,
      payload: { channel: 'web', channelAccountId, messageId, status, statusAt: at.toISOString() },
    }),
  };
}
