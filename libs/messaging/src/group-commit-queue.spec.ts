import { jest } from '@jest/globals';
import { GroupCommitQueue } from './group-commit-queue.js';

/** A flush the test settles by hand, recording what each flush carried. */
function manualFlush() {
  const flushes: { items: readonly string[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  const flush = (items: readonly string[]) =>
    new Promise<void>((resolve, reject) => flushes.push({ items, resolve, reject }));
  return { flushes, flush };
}

const settledState = async (promise: Promise<void>) => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('GroupCommitQueue', () => {
  it('sends the first item at once and gathers what comes during its flush into the next one, in order', async () => {
    const { flushes, flush } = manualFlush();
    const queue = new GroupCommitQueue(flush, { maxItems: 100 });
    const first = queue.enqueue(['a']);
    const second = queue.enqueue(['b', 'c']);
    const third = queue.enqueue(['d']);
    expect(flushes.map((f) => f.items)).toEqual([['a']]);
    flushes[0]!.resolve();
    await first;
    // The next flush started as soon as the first settled, with everything that waited.
    expect(flushes.map((f) => f.items)).toEqual([['a'], ['b', 'c', 'd']]);
    expect(await settledState(second)).toBe('pending');
    flushes[1]!.resolve();
    await Promise.all([second, third]);
    await queue.drain();
  });

  it('with gatherSettledCallers, starts the next flush a turn later, carrying what the settled callers publish again', async () => {
    const { flushes, flush } = manualFlush();
    const queue = new GroupCommitQueue(flush, { maxItems: 100, gatherSettledCallers: true });
    // A closed-loop publisher, as a webhook handler is: its next item once its last was flushed.
    const publishing = queue.enqueue(['a']).then(() => queue.enqueue(['a2']));
    const waiting = queue.enqueue(['b']);
    expect(flushes.map((f) => f.items)).toEqual([['a']]);
    flushes[0]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    // The first caller has published again; the next flush has not started yet.
    expect(flushes.map((f) => f.items)).toEqual([['a']]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes.map((f) => f.items)).toEqual([['a'], ['b', 'a2']]);
    expect(await settledState(waiting)).toBe('pending');
    flushes[1]!.resolve();
    await Promise.all([publishing, waiting]);
    await queue.drain();
  });

  it('settles a caller whose items span several flushes only with the last, and rejects it if one fails', async () => {
    const { flushes, flush } = manualFlush();
    const queue = new GroupCommitQueue(flush, { maxItems: 2 });
    const blocker = queue.enqueue(['x']);
    const spanning = queue.enqueue(['a', 'b', 'c']);
    const spanningToo = queue.enqueue(['d', 'e', 'f']);
    flushes[0]!.resolve();
    await blocker;
    expect(flushes[1]!.items).toEqual(['a', 'b']);
    flushes[1]!.resolve();
    expect(await settledState(spanning)).toBe('pending');
    expect(flushes[2]!.items).toEqual(['c', 'd']);
    flushes[2]!.resolve();
    expect(await settledState(spanning)).toBe('resolved');
    expect(flushes[3]!.items).toEqual(['e', 'f']);
    flushes[3]!.reject(new Error('broker gone'));
    await expect(spanningToo).rejects.toThrow('broker gone');
    await queue.drain();
  });

  it('fails every caller of a failed flush, and carries on with the next', async () => {
    const { flushes, flush } = manualFlush();
    const queue = new GroupCommitQueue(flush, { maxItems: 10 });
    const blocker = queue.enqueue(['x']);
    const a = queue.enqueue(['a']);
    const b = queue.enqueue(['b']);
    flushes[0]!.resolve();
    await blocker;
    const c = queue.enqueue(['c']);
    flushes[1]!.reject(new Error('timed out'));
    await expect(a).rejects.toThrow('timed out');
    await expect(b).rejects.toThrow('timed out');
    expect(flushes[2]!.items).toEqual(['c']);
    flushes[2]!.resolve();
    await c;
  });

  it('keeps a flush under its weight, sending an item heavier than the limit alone', async () => {
    const { flushes, flush } = manualFlush();
    const queue = new GroupCommitQueue(flush, {
      maxItems: 10,
      maxWeight: 10,
      weigh: (s: string) => s.length,
    });
    const blocker = queue.enqueue(['x']);
    const rest = queue.enqueue(['aaaa', 'bbbb', 'cccc', 'dddddddddddddddd', 'e']);
    flushes[0]!.resolve();
    await blocker;
    for (let i = 1; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      flushes[i]!.resolve();
    }
    await rest;
    expect(flushes.map((f) => f.items)).toEqual([
      ['x'],
      ['aaaa', 'bbbb'],
      ['cccc'],
      ['dddddddddddddddd'],
      ['e'],
    ]);
  });

  it('turns a flush that throws at once into a rejection of its callers', async () => {
    const queue = new GroupCommitQueue<string>(
      () => {
        throw new Error('not connected');
      },
      { maxItems: 10 },
    );
    await expect(queue.enqueue(['a'])).rejects.toThrow('not connected');
    await queue.drain();
  });

  it('lets drain() wait for what is in flight and what waits', async () => {
    const { flushes, flush } = manualFlush();
    const queue = new GroupCommitQueue(flush, { maxItems: 10 });
    void queue.enqueue(['a']);
    void queue.enqueue(['b']);
    const drained = queue.drain();
    flushes[0]!.resolve();
    expect(await settledState(drained)).toBe('pending');
    flushes[1]!.resolve();
    await drained;
  });

  describe('with a deadline', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
    afterEach(() => jest.useRealTimers());
    const deadline = { ms: 5_000, late: (items: number) => new Error(`late: ${items}`) };

    it('rejects each caller its deadline after its enqueue, with one timer for the queue, and still flushes its items', async () => {
      const { flushes, flush } = manualFlush();
      const queue = new GroupCommitQueue(flush, { maxItems: 10, deadline });
      const first = queue.enqueue(['a']);
      jest.advanceTimersByTime(2_000);
      const second = queue.enqueue(['b', 'c']);
      const third = queue.enqueue(['d']);
      // Not one per call: the publish path's cost (ADR 0161).
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(2_999);
      expect(await settledState(first)).toBe('pending');
      jest.advanceTimersByTime(1);
      await expect(first).rejects.toThrow('late: 1');
      expect(await settledState(second)).toBe('pending');
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(2_000);
      await expect(second).rejects.toThrow('late: 2');
      await expect(third).rejects.toThrow('late: 1');
      // The work is not cancelled: what was late still goes out, in order.
      flushes[0]!.resolve();
      await settledState(queue.drain());
      expect(flushes.map((f) => f.items)).toEqual([['a'], ['b', 'c', 'd']]);
      flushes[1]!.resolve();
      await queue.drain();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('leaves the callers it settled in time alone, and no timer once none waits', async () => {
      const { flushes, flush } = manualFlush();
      const queue = new GroupCommitQueue(flush, { maxItems: 10, deadline });
      const first = queue.enqueue(['a']);
      const second = queue.enqueue(['b']);
      jest.advanceTimersByTime(4_000);
      flushes[0]!.resolve();
      await first;
      expect(jest.getTimerCount()).toBe(1);
      const third = queue.enqueue(['c']);
      jest.advanceTimersByTime(1_000);
      await expect(second).rejects.toThrow('late: 1');
      expect(await settledState(third)).toBe('pending');
      flushes[1]!.resolve();
      await settledState(queue.drain());
      flushes[2]!.resolve();
      await third;
      await queue.drain();
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
