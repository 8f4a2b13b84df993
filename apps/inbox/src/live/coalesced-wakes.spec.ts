import { CoalescedWakes, type CustomerWrote } from './coalesced-wakes.js';

const wrote = (conversationId: string): CustomerWrote => ({
  workspaceId: 'w1',
  conversationId,
  wroteAt: '2026-12-06T04:00:00.000Z',
});

describe('CoalescedWakes', () => {
  it('runs one statement at a time: what is asked meanwhile goes in the next, together', async () => {
    const statements: string[][] = [];
    const pending: (() => void)[] = [];
    const wakes = new CoalescedWakes(
      (messages) => {
        statements.push(messages.map((m) => m.conversationId));
        return new Promise<void>((resolve) => pending.push(resolve));
      },
      () => undefined,
    );
    const settled: string[] = [];
    const first = wakes.wake([wrote('a')]).then(() => settled.push('a'));
    const second = wakes.wake([wrote('b')]).then(() => settled.push('b'));
    const third = wakes.wake([wrote('c'), wrote('d')]).then(() => settled.push('cd'));
    expect(statements).toEqual([['a']]);

    pending.shift()!();
    await first;
    expect(settled).toEqual(['a']);
    expect(statements).toEqual([['a'], ['b', 'c', 'd']]);

    pending.shift()!();
    await Promise.all([second, third]);
    expect(settled).toEqual(['a', 'b', 'cd']);
    expect(statements).toHaveLength(2);
  });

  it('settles its callers when the statement fails, reporting the error, and runs the next', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const wakes = new CoalescedWakes(
      () => (++calls === 1 ? Promise.reject(new Error('database away')) : Promise.resolve()),
      (error) => errors.push(error),
    );
    await wakes.wake([wrote('a')]);
    expect(errors).toEqual([new Error('database away')]);
    await wakes.wake([wrote('b')]);
    expect(calls).toBe(2);
  });

  it('asks nothing for a batch without a customer message', async () => {
    let calls = 0;
    const wakes = new CoalescedWakes(
      () => Promise.resolve(calls++),
      () => undefined,
    );
    await wakes.wake([]);
    expect(calls).toBe(0);
  });
});
