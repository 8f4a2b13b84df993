import { EventBusUnavailableError } from '../event-bus.js';
import { PublishDeadlines } from './publish-deadlines.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('PublishDeadlines', () => {
  it('settles as the publish does when it settles in time, and leaves no timer behind', async () => {
    const before = timers();
    const deadlines = new PublishDeadlines(1_000);
    const ok = deferred<string>();
    const failed = deferred<string>();
    const first = deadlines.within(ok.promise, () => 'late');
    const second = deadlines.within(failed.promise, () => 'late');
    expect(timers()).toBe(before + 1);
    ok.resolve('written');
    failed.reject(new Error('refused'));
    await expect(first).resolves.toBe('written');
    await expect(second).rejects.toThrow('refused');
    expect(timers()).toBe(before);
  });

  it('fails each publish not settled within its own deadline, the others not', async () => {
    const deadlines = new PublishDeadlines(60);
    const hung = deferred<void>();
    const answered = deferred<void>();
    const later = deferred<void>();
    const outcomes: string[] = [];
    const track = (name: string, p: Promise<void>) =>
      p.then(
        () => outcomes.push(`${name} ok`),
        (error: unknown) =>
          outcomes.push(
            `${name} ${error instanceof EventBusUnavailableError ? 'unavailable' : 'other'}: ${(error as Error).message}`,
          ),
      );
    const started = performance.now();
    const hungDone = track(
      'hung',
      deadlines.within(hung.promise, () => 'hung: no answer'),
    );
    const answeredDone = track(
      'answered',
      deadlines.within(answered.promise, () => 'never'),
    );
    await sleep(30);
    const laterDone = track(
      'later',
      deadlines.within(later.promise, () => 'later: no answer'),
    );
    answered.resolve();
    await hungDone;
    // Not before its own deadline.
    expect(performance.now() - started).toBeGreaterThanOrEqual(59);
    expect(outcomes).toEqual(['answered ok', 'hung unavailable: hung: no answer']);
    await laterDone;
    expect(outcomes[2]).toBe('later unavailable: later: no answer');
    await answeredDone;
    // An answer after the deadline changes nothing.
    hung.resolve();
    later.resolve();
    await sleep(5);
    expect(outcomes).toHaveLength(3);
  });

  it('keeps the deadlines of many publishes in flight, however they settle', async () => {
    const deadlines = new PublishDeadlines(80);
    const pending = Array.from({ length: 3_000 }, () => deferred<number>());
    const results = pending.map((d) =>
      deadlines
        .within(d.promise, () => 'late')
        .then(
          (value) => value,
          (error: unknown) => (error as Error).message,
        ),
    );
    // Settled out of order, all but the last ten.
    for (let i = pending.length - 11; i >= 0; i -= 2) pending[i]!.resolve(i);
    for (let i = pending.length - 12; i >= 0; i -= 2) pending[i]!.resolve(i);
    const settled = await Promise.all(results);
    expect(settled.slice(0, -10)).toEqual(pending.slice(0, -10).map((_, i) => i));
    expect(settled.slice(-10)).toEqual(Array.from({ length: 10 }, () => 'late'));
  });
});
