export interface GroupCommitLimits<T> {
  readonly maxItems: number;
  /** With `weigh`: the most weight (e.g. bytes) one flush carries; a single heavier item still goes alone. */
  readonly maxWeight?: number;
  readonly weigh?: (item: T) => number;
  /**
   * Starts the next flush a turn after the last settled rather than at once, so that the callers
   * it settled, publishing again in their continuations, go out in it too: fewer, larger flushes
   * for one event-loop turn's wait, and only while a flush was in flight (ADR 0156).
   */
  readonly gatherSettledCallers?: boolean;
}

/** One `enqueue()` call: its promise settles once every one of its items has been flushed. */
interface Caller {
  unflushed: number;
  failed: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Pending<T> {
  readonly item: T;
  readonly caller: Caller;
}

/**
 * Group commit: callers enqueue items one at a time; while one flush is in flight, the next ones
 * gather, and go out together in the following flush. One caller alone pays one round trip; many
 * callers share round trips. Items are flushed in the order they were enqueued, and a caller's
 * promise settles with the flush that carried its last item (or rejects with the first that
 * failed).
 *
 * On the publish path of every webhook: one promise per call (not per item), and the next flush
 * starts as soon as the last one settled, before its callers' continuations run (or, with
 * `gatherSettledCallers`, a turn later, after them).
 */
export class GroupCommitQueue<T> {
  private pending: Pending<T>[] = [];
  private flushing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly flush: (items: readonly T[]) => Promise<void>,
    private readonly limits: GroupCommitLimits<T>,
  ) {}

  enqueue(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const caller: Caller = { unflushed: items.length, failed: false, resolve, reject };
      for (const item of items) this.pending.push({ item, caller });
      this.kick();
    });
  }

  /** Resolves once everything enqueued so far has been flushed (or failed). */
  drain(): Promise<void> {
    if (!this.flushing && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (this.flushing) return;
    if (this.pending.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    this.flushing = true;
    const batch = this.pending.splice(0, this.takeCount());
    let flushed: Promise<void>;
    try {
      flushed = this.flush(batch.map((p) => p.item));
    } catch (error) {
      this.settle(batch, error, false);
      return;
    }
    flushed.then(
      () => this.settle(batch, undefined, true),
      (error: unknown) => this.settle(batch, error, false),
    );
  }

  private settle(batch: readonly Pending<T>[], error: unknown, ok: boolean): void {
    // Callers' promises resolve now; their continuations run after the next flush has started.
    for (const { caller } of batch) {
      if (caller.failed) continue;
      if (!ok) {
        caller.failed = true;
        caller.reject(error);
      } else if (--caller.unflushed === 0) caller.resolve();
    }
    if (this.limits.gatherSettledCallers === true) {
      // Still flushing until then: an enqueue meanwhile waits for this kick, not a flush of its own.
      setImmediate(() => {
        this.flushing = false;
        this.kick();
      });
      return;
    }
    this.flushing = false;
    this.kick();
  }

  private takeCount(): number {
    const { maxItems, maxWeight, weigh } = this.limits;
    const limit = Math.min(maxItems, this.pending.length);
    if (maxWeight === undefined || weigh === undefined) return limit;
    let weight = 0;
    for (let i = 0; i < limit; i++) {
      weight += weigh(this.pending[i]!.item);
      if (weight > maxWeight) return Math.max(1, i);
    }
    return limit;
  }
}
