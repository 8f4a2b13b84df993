export interface GroupCommitLimits<T> {
  readonly maxItems: number;
  /** With `weigh`: the most weight (e.g. bytes) one flush carries; a single heavier item still goes alone. */
  readonly maxWeight?: number;
  readonly weigh?: (item: T) => number;
}

interface Pending<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: callers enqueue items one at a time; while one flush is in flight, the next ones
 * gather, and go out together in the following flush. One caller alone pays one round trip; many
 * callers share round trips. Items are flushed in the order they were enqueued, and a caller's
 * promise settles with the flush that carried its item.
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
    const settled = items.map(
      (item) =>
        new Promise<void>((resolve, reject) => {
          this.pending.push({ item, resolve, reject });
        }),
    );
    this.kick();
    return Promise.all(settled).then(() => undefined);
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
    this.flush(batch.map((p) => p.item))
      .then(
        () => {
          for (const p of batch) p.resolve();
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => {
        this.flushing = false;
        this.kick();
      });
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
