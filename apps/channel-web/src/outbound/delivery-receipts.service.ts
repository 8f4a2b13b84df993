import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DeliveryStatusChangedV1, type DeliveryStatus } from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
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
  private pendingSent: DeliveryStatusChangedV1[] = [];
  private stopped = false;
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
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, FLUSH_MS);
  }

  /**
   * `sent` statuses of replies just stored. Published with the next flush rather than before the
   * delivery batch is committed: the reply itself is durable, and `sent` is informative (a crash
   * may lose it; `delivered` still follows). Kept in order before the `delivered` of the same flush.
   */
  sent(events: readonly DeliveryStatusChangedV1[]): void {
    this.pendingSent.push(...events);
    this.schedule();
  }

  async publish(
    workspaceId: string,
    channelAccountId: string,
    status: DeliveryStatus,
    marked: readonly { id: string; at: Date }[],
  ): Promise<void> {
    if (marked.length === 0) return;
    await this.bus.emit(
      marked.map(({ id, at }) => statusEvent(workspaceId, channelAccountId, id, status, at)),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.drain();
  }

  /** Publishes what is waiting now (the delivery consumer calls it once it has stopped, while the bus is up). */
  async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }

  /**
   * One publish a flush: the `sent` statuses waiting, then the `delivered` of the replies just
   * marked (a produce request fewer every flush than publishing each apart).
   */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const sent = this.pendingSent;
    this.pendingSent = [];
    let marked: Awaited<ReturnType<TranscriptService['markDelivered']>> = [];
    const accounts = new Map<string, string>();
    if (batch.size > 0) {
      const marks: { workspaceId: string; contactId: string; seq: number }[] = [];
      for (const [contactId, { workspaceId, channelAccountId, seqs }] of batch) {
        accounts.set(contactId, channelAccountId);
        for (const seq of seqs) marks.push({ workspaceId, contactId, seq });
      }
      try {
        marked = await this.transcript.markDelivered(marks);
      } catch (error) {
        // Not marked: the next socket to get these replies reports them.
        this.logger.warn({ err: error, count: marks.length }, 'could not record deliveries');
      }
    }
    if (sent.length === 0 && marked.length === 0) return;
    try {
      await this.bus.emit([
        ...sent,
        ...marked.map((m) => statusEvent(m.workspaceId, accounts.get(m.contactId)!, m.id, 'delivered', m.at)),
      ]);
    } catch (error) {
      if (sent.length > 0) {
        this.logger.warn({ err: error, count: sent.length }, 'could not publish sent statuses; retrying');
        // Bounded: a long outage drops the oldest informative statuses rather than growing forever.
        this.pendingSent = [...sent, ...this.pendingSent].slice(-10_000);
        this.schedule();
      }
      if (marked.length === 0) return;
      this.logger.warn(
        { err: error, count: marked.length },
        'could not publish delivery statuses; the next delivery of these replies reports them',
      );
      const byContact = new Map<string, { workspaceId: string; ids: string[] }>();
      for (const m of marked) {
        const entry = byContact.get(m.contactId) ?? { workspaceId: m.workspaceId, ids: [] };
        entry.ids.push(m.id);
        byContact.set(m.contactId, entry);
      }
      for (const [contactId, { workspaceId, ids }] of byContact)
        await this.transcript.unmarkDelivered(workspaceId, contactId, ids).catch(() => undefined);
    }
  }
}

function statusEvent(
  workspaceId: string,
  channelAccountId: string,
  messageId: string,
  status: DeliveryStatus,
  at: Date,
): DeliveryStatusChangedV1 {
  return DeliveryStatusChangedV1.create({
    workspaceId,
    payload: { channel: 'web', channelAccountId, messageId, status, statusAt: at.toISOString() },
  });
}
