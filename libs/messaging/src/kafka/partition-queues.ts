/** A fetched record as the queues see it: its offset on its partition (Kafka's int64, in decimal). */
export interface QueuedRecord {
  readonly offset: string;
}

export interface PartitionQueuesOptions<R extends QueuedRecord> {
  /** Partitions handled at the same time (each strictly in order). */
  readonly concurrency: number;
  /** The most records handed to `handle` at once. */
  readonly maxBatch: number;
  /** Records waiting, all partitions together, above which fetching pauses. */
  readonly maxWaiting: number;
  readonly pause: () => void;
  readonly resume: () => void;
  /** Whether this member still owns the partition: records of one it lost are dropped, not handled. */
  readonly owns: (topic: string, partition: number) => boolean;
  /**
   * Handles one partition's records, in offset order, and has them committed; resolves false when
   * it stopped short (the consumer is stopping). Never rejects (it logs what it could not do);
   * until it settles no other batch of that partition starts.
   */
  readonly handle: (topic: string, partition: number, records: readonly R[]) => Promise<boolean>;
}

interface Queue<R> {
  readonly topic: string;
  readonly partition: number;
  records: R[];
}

/**
 * Turns fetched records (every partition interleaved) into batches per partition: each
 * partition's records wait in its own queue and go to `handle` in offset order, up to `maxBatch`
 * at a time, several partitions at once, one batch per partition at a time; whatever a fetch
 * brought in the same turn of the event loop goes in one batch, so commits are per batch, not per
 * record. Fetching pauses while too much waits.
 *
 * A record at or below the last offset handled on its partition is a redelivery of one already
 * handled here (fetching starts again from the committed offset after a rebalance): it is dropped.
 */
export class PartitionQueues<R extends QueuedRecord> {
  private readonly queues = new Map<string, Queue<R>>();
  private readonly busy = new Set<string>();
  /** Per partition, the last offset handled here. */
  private readonly handledThrough = new Map<string, bigint>();
  private waiting = 0;
  private paused = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: PartitionQueuesOptions<R>) {}

  /** Queues one partition's fetched records, in offset order. */
  add(topic: string, partition: number, records: readonly R[]): void {
    if (records.length === 0) return;
    const key = `${topic}:${partition}`;
    const queue = this.queues.get(key);
    if (queue === undefined) this.queues.set(key, { topic, partition, records: records.slice() });
    else for (const record of records) queue.records.push(record);
    this.waiting += records.length;
    if (!this.paused && this.waiting >= this.options.maxWaiting) {
      this.paused = true;
      this.options.pause();
    }
    // The rest of the fetch arrives in this same turn: start once it is all queued.
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  /** Drops what waits (a stopping consumer): it was never committed and will be delivered again. */
  clear(): void {
    this.queues.clear();
    this.waiting = 0;
    this.settleIfIdle();
  }

  /** Resolves once no batch is being handled. */
  idle(): Promise<void> {
    if (this.busy.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    for (const [key, queue] of this.queues) {
      if (this.busy.size >= this.options.concurrency) break;
      if (this.busy.has(key) || queue.records.length === 0) continue;
      const taken = queue.records.splice(0, this.options.maxBatch);
      if (queue.records.length === 0) this.queues.delete(key);
      this.waiting -= taken.length;
      const through = this.handledThrough.get(key);
      const fresh = unhandled(taken, through);
      if (fresh.length === 0 || !this.options.owns(queue.topic, queue.partition)) continue;
      this.busy.add(key);
      void this.options
        .handle(queue.topic, queue.partition, fresh)
        .then((handled) => {
          const last = BigInt(fresh[fresh.length - 1]!.offset);
          if (handled && (through === undefined || last > through)) this.handledThrough.set(key, last);
        })
        .finally(() => {
          this.busy.delete(key);
          this.settleIfIdle();
          this.pump();
        });
    }
    if (this.paused && this.waiting < this.options.maxWaiting / 2) {
      this.paused = false;
      this.options.resume();
    }
  }

  private settleIfIdle(): void {
    if (this.busy.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Records after `through`, of records in offset order: all of them, unless this is a redelivery. */
function unhandled<R extends QueuedRecord>(records: R[], through: bigint | undefined): R[] {
  if (through === undefined || BigInt(records[0]!.offset) > through) return records;
  return records.filter((r) => BigInt(r.offset) > through);
}
