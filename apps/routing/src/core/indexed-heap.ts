/**
 * A binary min-heap whose items know their position, so an item can be re-keyed or removed in
 * O(log n). Agent pools use it to keep the best available agent on top as loads change.
 */
export class IndexedHeap<T> {
  private readonly items: T[] = [];
  private readonly positions = new Map<T, number>();

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.positions.has(item);
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Inserts, or restores order after the item's key changed. */
  upsert(item: T): void {
    const at = this.positions.get(item);
    if (at === undefined) {
      this.items.push(item);
      this.positions.set(item, this.items.length - 1);
      this.up(this.items.length - 1);
    } else if (!this.up(at)) {
      this.down(at);
    }
  }

  remove(item: T): void {
    const at = this.positions.get(item);
    if (at === undefined) return;
    this.positions.delete(item);
    const last = this.items.pop()!;
    if (at === this.items.length) return;
    this.items[at] = last;
    this.positions.set(last, at);
    if (!this.up(at)) this.down(at);
  }

  /** The k best items in order, without disturbing the heap (a frontier walk: O(k log k)). */
  top(k: number): T[] {
    const result: T[] = [];
    if (this.items.length === 0 || k <= 0) return result;
    const frontier: number[] = [0];
    while (frontier.length > 0 && result.length < k) {
      let best = 0;
      for (let i = 1; i < frontier.length; i++) {
        if (this.less(this.items[frontier[i]!]!, this.items[frontier[best]!]!)) best = i;
      }
      const index = frontier[best]!;
      frontier[best] = frontier[frontier.length - 1]!;
      frontier.pop();
      result.push(this.items[index]!);
      const left = 2 * index + 1;
      if (left < this.items.length) frontier.push(left);
      if (left + 1 < this.items.length) frontier.push(left + 1);
    }
    return result;
  }

  values(): readonly T[] {
    return this.items;
  }

  private up(start: number): boolean {
    let index = start;
    const item = this.items[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = this.items[parent]!;
      if (!this.less(item, above)) break;
      this.items[index] = above;
      this.positions.set(above, index);
      index = parent;
    }
    if (index === start) return false;
    this.items[index] = item;
    this.positions.set(item, index);
    return true;
  }

  private down(start: number): void {
    let index = start;
    const item = this.items[index]!;
    const n = this.items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(this.items[right]!, this.items[left]!) ? right : left;
      const below = this.items[child]!;
      if (!this.less(below, item)) break;
      this.items[index] = below;
      this.positions.set(below, index);
      index = child;
    }
    if (index === start) return;
    this.items[index] = item;
    this.positions.set(item, index);
  }
}
