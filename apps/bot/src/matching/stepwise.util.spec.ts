import { runSteps, runStepsYielding, type Steps } from './stepwise.util.js';

function* countTo(n: number, log: string[]): Steps<number> {
  for (let i = 1; i <= n; i++) {
    log.push(`step ${i}`);
    yield;
  }
  return n;
}

describe('stepwise computations', () => {
  it('runs to the end at once', () => {
    expect(runSteps(countTo(3, []))).toBe(3);
  });

  it('lets other work run between steps when yielding', async () => {
    const log: string[] = [];
    const done = runStepsYielding(countTo(3, log));
    setImmediate(() => log.push('other work'));
    await expect(done).resolves.toBe(3);
    expect(log.indexOf('other work')).toBeGreaterThan(0);
    expect(log.indexOf('other work')).toBeLessThan(log.length - 1);
  });
});
