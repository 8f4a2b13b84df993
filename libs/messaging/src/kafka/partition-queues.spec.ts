import { setImmediate as nextTurn } from 'node:timers/promises';
import { PartitionQueues, type QueuedRecord } from './partition-queues.js';

/** Adds records one at a time, as many fetches of one record each would. */
const add = (queues: PartitionQueues<QueuedRecord>, partition: number, ...offsets: number[]) => {
  for (const offset of offsets) queues.add('t', partition, [{ offset: String(offset) }]);
};

function harness(options: { concurrency?: number; maxBatch?: number; maxWaiting?: number } = {}) {
  const batches: { partition: number; offsets: number[] }[] = [];
  const owned = new Set([0, 1, 2]);
  const flow: string[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const queues = new PartitionQueues<QueuedRecord>({
    concurrency: options.concurrency ?? 4,
    maxBatch: options.maxBatch ?? 500,
    maxWaiting: options.maxWaiting ?? 1_000,
    pause: () => flow.push('pause'),
    resume: () => flow.push('resume'),
    owns: (_topic, partition) => owned.has(partition),
    handle: async (_topic, partition, records) => {
      batches.push({ partition, offsets: records.map((r) => Number(r.offset)) });
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return true;
    },
  });
  return {
    queues,
    batches,
    owned,
    flow,
    holdNext: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe('PartitionQueues', () => {
  it('hands what one fetch brought to the handler as one batch per partition, in offset order', async () => {
    const { queues, batches } = harness();
    add(queues, 0, 10);
    add(queues, 1, 5);
    queues.add('t', 0, [{ offset: '11' }, { offset: '12' }]);
    add(queues, 1, 6);
    await nextTurn();
    await queues.idle();
    expect(batches).toEqual([
      { partition: 0, offsets: [10, 11, 12] },
      { partition: 1, offsets: [5, 6] },
    ]);
  });

  it('keeps one batch per partition at a time, and splits by maxBatch', async () => {
    const h = harness({ maxBatch: 2 });
    h.holdNext();
    add(h.queues, 0, 1, 2, 3, 4, 5);
    await nextTurn();
    expect(h.batches).toEqual([{ partition: 0, offsets: [1, 2] }]);
    h.release();
    await nextTurn();
    await h.queues.idle();
    expect(h.batches.map((b) => b.offsets)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('drops a redelivery of what it already handled, and records of a partition it lost', async () => {
    const { queues, batches, owned } = harness();
    add(queues, 0, 1, 2, 3);
    await nextTurn();
    await queues.idle();
    // The stream re-reads from the committed offset after a rebalance: 2 and 3 again, then 4.
    queues.add('t', 0, [{ offset: '2' }, { offset: '3' }, { offset: '4' }]);
    owned.delete(1);
    add(queues, 1, 7);
    await nextTurn();
    await queues.idle();
    expect(batches).toEqual([
      { partition: 0, offsets: [1, 2, 3] },
      { partition: 0, offsets: [4] },
    ]);
  });

  it('pauses fetching while too much waits and resumes once half of it is taken', async () => {
    const h = harness({ concurrency: 1, maxBatch: 2, maxWaiting: 4 });
    h.holdNext();
    add(h.queues, 0, 1, 2, 3, 4);
    expect(h.flow).toEqual(['pause']);
    await nextTurn();
    // Two taken, two waiting: under half of four is not reached yet.
    expect(h.flow).toEqual(['pause']);
    h.release();
    await nextTurn();
    await h.queues.idle();
    expect(h.flow).toEqual(['pause', 'resume']);
    expect(h.batches.map((b) => b.offsets)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
