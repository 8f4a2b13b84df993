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
  /**
   * Each caller's promise rejects with `late(itemCount)` once `ms` passed since its enqueue, its
   * items still flushed as they would have been (the flush is not cancelled): one timer for the
   * queue, armed for its oldest caller, rather than one per call on the publish path (ADR 0161).
   */
  readonly deadline?: { readonly ms: number; readonly late: (items: number) => Error };
}

/** One `enqueue()` call: its promise settles once every one of its items has been flushed. */
interface Caller {
  unflushed: number;
  failed: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /** `performance.now()` past which it is rejected as late (with `deadline` only). */
  readonly expiresAt: number;
  readonly items: number;
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
  /** With `deadline`: callers in enqueue order (so in expiry order), from `oldest` on unsettled or not yet looked at. */
  private callers: Caller[] = [];
  private oldest = 0;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (items: readonly T[]) => Promise<void>,
    private readonly limits: GroupCommitLimits<T>,
  ) {}

  enqueue(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const deadline = this.limits.deadline;
      const caller: Caller = {
        unflushed: items.length,
        failed: false,
        resolve,
        reject,
        expiresAt: deadline === undefined ? Infinity : performance.now() + deadline.ms,
        items: items.length,
      };
      for (const item of items) this.pending.push({ item, caller });
      if (deadline !== undefined) this.watch(caller, deadline.ms);
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
    if (this.limits.deadline !== undefined) this.forgetSettledCallers();
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

  /** Keeps `caller` for the deadline's sweep, arming its timer if none is (the queue was idle). */
  private watch(caller: Caller, ms: number): void {
    this.callers.push(caller);
    this.deadlineTimer ??= this.armDeadline(ms);
  }

  private armDeadline(ms: number): NodeJS.Timeout {
    // Unreferenced: a caller's own promise, not this timer, is what keeps work going.
    return setTimeout(() => this.rejectLateCallers(), Math.max(1, Math.ceil(ms))).unref();
  }

  /**
   * Rejects every caller past its deadline and not yet settled, then arms the timer again for the
   * oldest left, if any. Callers expire in enqueue order, so the sweep stops at the first not due.
   */
  private rejectLateCallers(): void {
    this.deadlineTimer = undefined;
    const late = this.limits.deadline!.late;
    const now = performance.now();
    for (; this.oldest < this.callers.length; this.oldest++) {
      const caller = this.callers[this.oldest]!;
      if (caller.failed || caller.unflushed === 0) continue;
      if (caller.expiresAt > now) break;
      caller.failed = true;
      caller.reject(late(caller.items));
    }
    this.forgetSettledCallers();
    if (this.oldest < this.callers.length)
      this.deadlineTimer = this.armDeadline(this.callers[this.oldest]!.expiresAt - now);
  }

  /**
   * Drops the settled callers at the front (flushes settle in enqueue order, so after each flush
   * that is nearly all of them): they are not kept alive until the next sweep. The timer is
   * cleared once none is left.
   */
  private forgetSettledCallers(): void {
    const callers = this.callers;
    while (this.oldest < callers.length) {
      const caller = callers[this.oldest]!;
      if (!caller.failed && caller.unflushed > 0) break;
      this.oldest += 1;
    }
    if (this.oldest === callers.length) {
      this.callers = [];
      this.oldest = 0;
      clearTimeout(this.deadlineTimer);
      this.deadlineTimer = undefined;
    } else if (this.oldest >= 1_024 && this.oldest * 2 >= callers.length) {
      // Moved down in one go, now and then, not one shift per caller.
      this.callers = callers.slice(this.oldest);
      this.oldest = 0;
    }
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
