/** What a timer is for; each names the thing it acts on and the version it was set for. */
export type TimerKind = 'step' | 'offer' | 'reservation' | 'grace' | 'bot';

export interface Timer {
  readonly at: number;
  readonly kind: TimerKind;
  readonly id: string;
  /** A timer whose version no longer matches its subject's is stale and skipped (lazy cancel). */
  readonly version: number;
}

/** A min-heap of deadlines. Cancelling is lazy: the engine bumps the subject's version. */
export class TimerQueue {
  private readonly heap: Timer[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= timer.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  peek(): Timer | undefined {
    return this.heap[0];
  }

  pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= last.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
