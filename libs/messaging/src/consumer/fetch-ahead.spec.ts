import { FetchAhead, type BatchProgress } from './fetch-ahead.js';

/** A handling the test finishes by hand, recording when it started. */
function manualHandling(log: string[], name: string) {
  let finish: (error?: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = (error) => (error === undefined ? resolve() : reject(error));
  });
  return {
    handle: (progress: BatchProgress) => {
      log.push(`start ${name}`);
      return done.then(() => {
        progress.unhandled += 1n;
        log.push(`end ${name}`);
      });
    },
    finish: (error?: Error) => finish(error),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const batch = (partition: number, firstOffset: bigint) => ({ topic: 't', partition, firstOffset });

describe('FetchAhead', () => {
  it('returns to the fetch loop as soon as the batch before is done, and handles one batch at a time per partition, in order', async () => {
    const log: string[] = [];
    const ahead = new FetchAhead({ failed: () => log.push('failed') });
    const first = manualHandling(log, 'a');
    const second = manualHandling(log, 'b');
    const third = manualHandling(log, 'c');

    // Nothing before it: the next fetch may go at once while `a` is handled.
    let afterFirst = false;
    void ahead.enqueue(batch(0, 0n), first.handle).then(() => (afterFirst = true));
    await turn();
    expect(afterFirst).toBe(true);
    expect(log).toEqual(['start a']);

    // `b` waits for `a`; so does the fetch after `b`.
    let afterSecond = false;
    void ahead.enqueue(batch(0, 10n), second.handle).then(() => (afterSecond = true));
    await turn();
    expect(afterSecond).toBe(false);
    expect(log).toEqual(['start a']);

    first.finish();
    await turn();
    expect(afterSecond).toBe(true);
    expect(log).toEqual(['start a', 'end a', 'start b']);

    void ahead.enqueue(batch(0, 20n), third.handle);
    second.finish();
    third.finish();
    await ahead.idle();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('handles partitions independently', async () => {
    const log: string[] = [];
    const ahead = new FetchAhead({ failed: () => log.push('failed') });
    const zero = manualHandling(log, 'p0');
    const one = manualHandling(log, 'p1');
    void ahead.enqueue(batch(0, 0n), zero.handle);
    void ahead.enqueue(batch(1, 0n), one.handle);
    await turn();
    expect(log).toEqual(['start p0', 'start p1']);
    one.finish();
    await turn();
    expect(log).toEqual(['start p0', 'start p1', 'end p1']);
    zero.finish();
    await ahead.idle();
    expect(log).toEqual(['start p0', 'start p1', 'end p1', 'end p0']);
  });

  it('on a failure reports where its partition is read again from, drops what was queued behind it, and handles what comes after', async () => {
    const log: string[] = [];
    const failures: string[] = [];
    const ahead = new FetchAhead({
      failed: (topic, partition, unhandled, error) =>
        failures.push(`${topic}:${partition}@${unhandled} ${(error as Error).message}`),
    });
    const failing = manualHandling(log, 'a');
    const queued = manualHandling(log, 'b');
    const reread = manualHandling(log, 'a again');

    const queuedBehind = ahead.enqueue(batch(0, 100n), failing.handle);
    // `b`'s fetch came back while `a` was handled.
    const fetchAfterB = ahead.enqueue(batch(0, 110n), queued.handle);
    await queuedBehind;
    failing.finish(new Error('lost the database'));
    // The fetch loop goes on (never an error of its own): the partition is read again instead.
    await expect(fetchAfterB).resolves.toBeUndefined();
    // `a` had got through none of its records: read again from its first.
    expect(failures).toEqual(['t:0@100 lost the database']);

    // The reread is handled; `b`, queued before the failure, never was.
    void ahead.enqueue(batch(0, 100n), reread.handle);
    reread.finish();
    queued.finish();
    await ahead.idle();
    expect(log).toEqual(['start a', 'start a again', 'end a again']);
  });

  it('idle() waits for every batch queued, not for those queued after it was called', async () => {
    const log: string[] = [];
    const ahead = new FetchAhead({ failed: () => log.push('failed') });
    const first = manualHandling(log, 'a');
    const later = manualHandling(log, 'b');
    void ahead.enqueue(batch(0, 0n), first.handle);
    let idle = false;
    void ahead.idle().then(() => (idle = true));
    void ahead.enqueue(batch(0, 10n), later.handle);
    await turn();
    expect(idle).toBe(false);
    first.finish();
    await turn();
    await turn();
    expect(idle).toBe(true);
    expect(log).toEqual(['start a', 'end a', 'start b']);
    later.finish();
    await ahead.idle();
  });
});
