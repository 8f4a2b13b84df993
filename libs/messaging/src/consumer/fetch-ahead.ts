/** A batch of one partition as the consumer fetched it, handed to `FetchAhead.enqueue`. */
export interface FetchedBatch {
  /** Physical topic name. */
  readonly topic: string;
  readonly partition: number;
  /** The batch's first offset: where the partition is read again from when the batch fails. */
  readonly firstOffset: bigint;
}

export interface FetchAheadOptions {
  /**
   * A batch's handling failed (threw: the handler's own failures are retried inside it, so this is
   * a fault of the consumer's own), with `unhandled` the first offset it did not get through:
   * the consumer reads the partition again from there. Batches of the partition queued behind it
   * were not handled either and are read again with it.
   */
  readonly failed: (topic: string, partition: number, unhandled: bigint, error: unknown) => void;
}

/** What a queued batch's handling reports back: the offset it got up to, for a failure's reread. */
export interface BatchProgress {
  /** The first offset of the batch not handled yet; moved on as its chunks are. */
  unhandled: bigint;
}

/**
 * One batch per partition fetched ahead while the one before it is handled. A Kafka client that
 * fetches only once every batch of its last fetch was handled (kafkajs) makes each partition's
 * handling wait a fetch round trip per batch, and a slow batch's backlog grow by one; with this,
 * the partition's next batch is on its way while the last is handled.
 *
 * `enqueue` queues a batch behind the partition's batch before it and resolves as soon as that
 * earlier batch is done, so the caller's fetch loop goes on (one batch ahead, no more) while this
 * one is handled. Per partition, batches are handled one after another in the order fetched;
 * nothing about the commit changes (the handling itself leaves its offsets to be committed once
 * stored). A batch that fails stops its partition's queue: the batches behind it are dropped
 * unhandled, and `failed` says where to read the partition again from.
 */
export class FetchAhead {
  /** By `topic:partition`: the last batch queued, settled (never rejects) when it is done. */
  private readonly tails = new Map<string, Promise<void>>();
  /**
   * By `topic:partition`: how many times its queue failed. A batch queued before the latest
   * failure is dropped unhandled: the reread from the failure's offset brings it again.
   */
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: FetchAheadOptions) {}

  /**
   * Queues `handle` behind the partition's previous batch. Resolves once that previous batch is
   * done (not this one): the caller may fetch the next batch then. Never rejects.
   */
  enqueue(batch: FetchedBatch, handle: (progress: BatchProgress) => Promise<void>): Promise<void> {
    const key = `${batch.topic}:${batch.partition}`;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const queuedAfter = this.failures.get(key) ?? 0;
    const progress: BatchProgress = { unhandled: batch.firstOffset };
    const tail: Promise<void> = previous.then(async () => {
      if ((this.failures.get(key) ?? 0) !== queuedAfter) return;
      try {
        await handle(progress);
      } catch (error) {
        this.failures.set(key, queuedAfter + 1);
        this.options.failed(batch.topic, batch.partition, progress.unhandled, error);
      }
    });
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return previous;
  }

  /** Resolves once every batch queued so far is done (handled, failed, or dropped). */
  async idle(): Promise<void> {
    // Each partition's last batch is queued behind all its others.
    await Promise.all([...this.tails.values()]);
  }
}
