import { jest } from '@jest/globals';
import { DeferredCommits, type HandledOffset, commitFailureReporter } from './deferred-commits.js';

/** A commit the test settles by hand, recording what each request carried. */
function manualCommits() {
  const requests: {
    offsets: readonly HandledOffset[];
    resolve: () => void;
    reject: (error: unknown) => void;
  }[] = [];
  const commit = (offsets: readonly HandledOffset[]) =>
    new Promise<void>((resolve, reject) => requests.push({ offsets, resolve, reject }));
  const carried = () => requests.map((r) => r.offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`));
  return { requests, commit, carried };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('DeferredCommits', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('commits every partition handled within the delay in one request, each at its latest offset', async () => {
    const { commit, carried, requests } = manualCommits();
    const committed: HandledOffset[][] = [];
    const commits = new DeferredCommits({
      delayMs: 200,
      owns: () => true,
      commit,
      committed: (offsets) => committed.push([...offsets]),
      failed: () => undefined,
    });
    commits.handled('t', 0, 5n);
    commits.handled('t', 1, 3n);
    commits.handled('t', 0, 9n);
    jest.advanceTimersByTime(199);
    expect(carried()).toEqual([]);
    jest.advanceTimersByTime(1);
    await turn();
    expect(carried()).toEqual([['t:0@9', 't:1@3']]);
    requests[0]!.resolve();
    await turn();
    expect(committed).toHaveLength(1);
    // Nothing waits: no request until another batch is handled.
    jest.advanceTimersByTime(1_000);
    await turn();
    expect(carried()).toHaveLength(1);
  });

  it('on flush, commits at once, after the request under way, one request at a time', async () => {
    const { commit, carried, requests } = manualCommits();
    const commits = new DeferredCommits({ delayMs: 200, owns: () => true, commit, failed: () => undefined });
    commits.handled('t', 0, 1n);
    jest.advanceTimersByTime(200);
    await turn();
    expect(carried()).toEqual([['t:0@1']]);
    commits.handled('t', 0, 2n);
    let flushed = false;
    const flushing = commits.flush().then(() => (flushed = true));
    await turn();
    // The first request is still under way: the second waits for it.
    expect(carried()).toHaveLength(1);
    requests[0]!.resolve();
    await turn();
    expect(carried()).toEqual([['t:0@1'], ['t:0@2']]);
    expect(flushed).toBe(false);
    requests[1]!.resolve();
    await flushing;
    expect(flushed).toBe(true);
  });

  it('drops the offsets of partitions the member no longer owns', async () => {
    const { commit, carried } = manualCommits();
    const owned = new Set(['t:0', 't:1']);
    const commits = new DeferredCommits({
      delayMs: 200,
      owns: (topic, partition) => owned.has(`${topic}:${partition}`),
      commit,
      failed: () => undefined,
    });
    commits.handled('t', 0, 4n);
    commits.handled('t', 1, 7n);
    owned.delete('t:1'); // a rebalance gave it away
    jest.advanceTimersByTime(200);
    await turn();
    expect(carried()).toEqual([['t:0@4']]);
  });

  it('keeps the offsets of a failed commit for the next, unless a newer one came meanwhile', async () => {
    const { commit, carried, requests } = manualCommits();
    const failures: unknown[] = [];
    const commits = new DeferredCommits({
      delayMs: 200,
      owns: () => true,
      commit,
      failed: (error) => failures.push(error),
    });
    commits.handled('t', 0, 4n);
    commits.handled('t', 1, 7n);
    jest.advanceTimersByTime(200);
    await turn();
    commits.handled('t', 0, 6n);
    requests[0]!.reject(new Error('REBALANCE_IN_PROGRESS'));
    await turn();
    expect(failures).toHaveLength(1);
    jest.advanceTimersByTime(200);
    await turn();
    expect(carried()).toEqual([
      ['t:0@4', 't:1@7'],
      ['t:0@6', 't:1@7'],
    ]);
  });

  it('commits nothing more once closed', async () => {
    const { commit, carried } = manualCommits();
    const commits = new DeferredCommits({ delayMs: 200, owns: () => true, commit, failed: () => undefined });
    commits.handled('t', 0, 4n);
    commits.close();
    commits.handled('t', 0, 5n);
    jest.advanceTimersByTime(1_000);
    await commits.flush();
    expect(carried()).toEqual([]);
  });
});

describe('commitFailureReporter', () => {
  it('reports a failed commit at info while the consumer runs, as a warning once it is stopping', () => {
    const lines: [string, object, string | undefined][] = [];
    const logger = {
      debug: () => undefined,
      info: (obj: object, msg?: string) => lines.push(['info', obj, msg]),
      warn: (obj: object, msg?: string) => lines.push(['warn', obj, msg]),
      error: () => undefined,
    };
    const stopping = new AbortController();
    const failed = commitFailureReporter(logger, 'g', stopping.signal);
    failed(new Error('REBALANCE_IN_PROGRESS'));
    stopping.abort();
    failed(new Error('NOT_COORDINATOR'));
    expect(lines).toEqual([
      [
        'info',
        { groupId: 'g', error: 'Error: REBALANCE_IN_PROGRESS' },
        'offset commit failed; its offsets go with the next one',
      ],
      [
        'warn',
        { groupId: 'g', error: 'Error: NOT_COORDINATOR' },
        'offset commit failed as the consumer stopped; its batches will be delivered again',
      ],
    ]);
  });
});
