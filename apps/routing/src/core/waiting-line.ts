/**
 * Conversations waiting in one queue, at one priority, on one channel, oldest first. Kept sorted
 * by arrival (ties by a sequence number), so the routing step of every entry can be found by
 * binary search: the older a conversation, the wider its step. Removal is a tombstone, compacted
 * when tombstones outnumber the living.
 */
export interface LineEntry {
  readonly conversationId: string;
  readonly arrivedAt: number;
  readonly seq: number;
  removed: boolean;
}

export class WaitingLine {
  private entries: LineEntry[] = [];
  private head = 0;
  private dead = 0;

  get length(): number {
    return this.entries.length - this.head - this.dead;
  }

  add(entry: LineEntry): void {
    const entries = this.entries;
    const last = entries[entries.length - 1];
    if (last === undefined || before(last, entry)) {
      entries.push(entry);
      return;
    }
    // A conversation returned to its queue keeps its arrival: it goes back ahead of later ones.
    let lo = this.head;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(entries[mid]!, entry)) lo = mid + 1;
      else hi = mid;
    }
    entries.splice(lo, 0, entry);
  }

  remove(entry: LineEntry): void {
    if (entry.removed) return;
    entry.removed = true;
    this.dead++;
    while (this.head < this.entries.length && this.entries[this.head]!.removed) {
      this.head++;
      this.dead--;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) this.compact();
    else if (this.dead > 1024 && this.dead * 2 > this.length) this.compact();
  }

  /** Index of the first living entry that arrived after `time` (or the end). */
  firstAfter(time: number): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.arrivedAt <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get start(): number {
    return this.head;
  }

  get end(): number {
    return this.entries.length;
  }

  at(index: number): LineEntry | undefined {
    return this.entries[index];
  }

  /** The oldest living entry. */
  first(): LineEntry | undefined {
    return this.entries[this.head];
  }

  *living(): IterableIterator<LineEntry> {
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (!entry.removed) yield entry;
    }
  }

  private compact(): void {
    this.entries = this.entries.filter((e, i) => i >= this.head && !e.removed);
    this.head = 0;
    this.dead = 0;
  }
}

function before(a: LineEntry, b: LineEntry): boolean {
  return a.arrivedAt < b.arrivedAt || (a.arrivedAt === b.arrivedAt && a.seq < b.seq);
}
