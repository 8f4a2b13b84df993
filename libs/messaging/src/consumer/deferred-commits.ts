import type { BusLogger } from '../bus-logger.js';
import { describeError } from '../dead-letter.js';

/** Where one partition's consumer got to: the next offset to read, as an offset commit stores it. */
export interface HandledOffset {
  /** Physical topic name. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export interface DeferredCommitsOptions {
  /** The longest a handled batch's offset waits for its commit: what a crash may deliver again. */
  readonly delayMs: number;
  /** Whether this member still owns the partition: a rebalance may have given it away meanwhile. */
  readonly owns: (topic: string, partition: number) => boolean;
  /** Commits every offset given, in one request; rejects when the broker refused or was not reached. */
  readonly commit: (offsets: readonly HandledOffset[]) => Promise<void>;
  /** After a commit went through (an ephemeral group notes where it got to). */
  readonly committed?: (offsets: readonly HandledOffset[]) => void;
  /** A commit failed; its offsets wait for the next one (unless their partition is given away). */
  readonly failed: (error: unknown) => void;
}

/**
 * The offset commits of one consumer, gathered: each batch handled leaves its partition's next
 * offset here, and one commit request carries every partition's, `delayMs` after the first of
 * them was left (one request at a time). Committing after every batch cost the broker an offset
 * commit (a write to its offsets log) per batch of each partition, about one per event at a few
 * hundred events a second; gathered, it is a few per second whatever the rate.
 *
 * Nothing is committed before it was handled: a crash delivers again at most what was handled in
 * the last `delayMs` (consumers drop duplicates by natural key, as they must anyway). A consumer
 * that stops calls `flush()` while it is still a member, so a clean stop delivers nothing again.
 * An offset of a partition the member no longer owns is dropped, not committed: its next owner
 * started from the last commit and the two must not overwrite each other.
 */
export class DeferredCommits {
  /** By `topic:partition`: a later batch of a partition moves its offset on. */
  private pending = new Map<string, HandledOffset>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: DeferredCommitsOptions) {}

  /** Records that the partition's records before `offset` are handled; commits them within `delayMs`. */
  handled(topic: string, partition: number, offset: bigint): void {
    if (this.closed) return;
    const key = `${topic}:${partition}`;
    // Records below a waiting offset handled again (a rejoin re-reads from the last commit): that
    // offset stays, everything before it was handled.
    if ((this.pending.get(key)?.offset ?? -1n) >= offset) return;
    this.pending.set(key, { topic, partition, offset });
    this.schedule();
  }

  /**
   * Commits what waits now, after the commit under way if there is one, with `commit` (default:
   * the one given at construction); resolves once it is done. Never rejects: a failure is
   * reported to `failed` and its offsets wait for the next commit.
   */
  async flush(commit = this.options.commit): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.inFlight !== undefined) await this.inFlight;
    const offsets = [...this.pending.values()].filter((o) => this.options.owns(o.topic, o.partition));
    this.pending.clear();
    if (offsets.length === 0) return;
    this.inFlight = this.send(offsets, commit).finally(() => (this.inFlight = undefined));
    await this.inFlight;
  }

  /** Forgets what waits and commits nothing more (the consumer is gone, or being replaced). */
  close(): void {
    this.closed = true;
    this.pending.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async send(
    offsets: readonly HandledOffset[],
    commit: (offsets: readonly HandledOffset[]) => Promise<void>,
  ): Promise<void> {
    try {
      await commit(offsets);
      this.options.committed?.(offsets);
    } catch (error) {
      this.options.failed(error);
      if (this.closed) return;
      // Back in line, unless a later batch of the partition has left a newer offset meanwhile.
      for (const o of offsets) {
        const key = `${o.topic}:${o.partition}`;
        if (!this.pending.has(key)) this.pending.set(key, o);
      }
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.delayMs);
  }
}

/**
 * A consumer's `failed`: at info while it runs (the next commit carries the offsets; a partition
 * lost in a rebalance is read again by its next owner, which consumers drop by natural key), a
 * warning once `stopping` is aborted: there is no next commit, and what it carried is delivered
 * again after a restart, so a clean stop that redelivers says why.
 */
export function commitFailureReporter(
  logger: BusLogger,
  groupId: string,
  stopping: AbortSignal,
): (error: unknown) => void {
  return (error) => {
    const fields = { groupId, error: describeError(error) };
    if (stopping.aborted)
      logger.warn(
        fields,
        'offset commit failed as the consumer stopped; its batches will be delivered again',
      );
    else logger.info(fields, 'offset commit failed; its offsets go with the next one');
  };
}
