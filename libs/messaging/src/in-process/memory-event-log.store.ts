import type { AppendRecord, EventLogStore, StoredRecord } from './event-log-store.js';

/** The log in memory: for unit tests, where durability across a crash is not the point. */
export class MemoryEventLogStore implements EventLogStore {
  private readonly partitions = new Map<string, StoredRecord[]>();
  private readonly offsets = new Map<string, string>();
  private nextOffset = 1n;

  init(): Promise<void> {
    return Promise.resolve();
  }

  append(records: readonly AppendRecord[]): Promise<void> {
    for (const record of records) {
      const key = `${record.topic}\u0000${record.partition}`;
      let list = this.partitions.get(key);
      if (list === undefined) {
        list = [];
        this.partitions.set(key, list);
      }
      list.push({ ...record, offset: (this.nextOffset++).toString() });
    }
    return Promise.resolve();
  }

  read(topic: string, partition: number, afterOffset: string | null, limit: number): Promise<StoredRecord[]> {
    const list = this.partitions.get(`${topic}\u0000${partition}`) ?? [];
    const after = afterOffset === null ? 0n : BigInt(afterOffset);
    const result: StoredRecord[] = [];
    for (const record of list) {
      if (BigInt(record.offset) <= after) continue;
      result.push(record);
      if (result.length >= limit) break;
    }
    return Promise.resolve(result);
  }

  lastOffset(): Promise<string | null> {
    return Promise.resolve(this.nextOffset === 1n ? null : (this.nextOffset - 1n).toString());
  }

  committed(groupId: string, topic: string, partition: number): Promise<string | null> {
    return Promise.resolve(this.offsets.get(`${groupId}\u0000${topic}\u0000${partition}`) ?? null);
  }

  commit(groupId: string, topic: string, partition: number, offset: string): Promise<void> {
    this.offsets.set(`${groupId}\u0000${topic}\u0000${partition}`, offset);
    return Promise.resolve();
  }

  prune(): Promise<number> {
    return Promise.resolve(0);
  }

  forgetIdleGroups(): Promise<number> {
    return Promise.resolve(0);
  }

  lag(): Promise<{ group: string; topic: string; partition: number; lag: number }[]> {
    return Promise.resolve(
      [...this.offsets].map(([key, offset]) => {
        const [group, topic, partition] = key.split('\u0000') as [string, string, string];
        const list = this.partitions.get(`${topic}\u0000${partition}`) ?? [];
        const lag = list.filter((record) => BigInt(record.offset) > BigInt(offset)).length;
        return { group, topic, partition: Number(partition), lag };
      }),
    );
  }

  groups(): Promise<string[]> {
    return Promise.resolve([...new Set([...this.offsets.keys()].map((key) => key.split('\u0000')[0]!))]);
  }

  checkHealth(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
