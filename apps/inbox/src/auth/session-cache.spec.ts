import { type CacheTicket, SessionCache } from './session-cache.js';
import type { SessionContext } from './session-context.js';

const session = (sessionId: string, userId: string): SessionContext => ({
  sessionId,
  csrfToken: `csrf-${sessionId}`,
  userId,
  workspaceId: 'w1',
  role: 'agent',
  email: `${userId}@example.test`,
  displayName: userId,
  operator: false,
});

describe('SessionCache', () => {
  let now: number;
  let cache: SessionCache;
  const ticket = (key: string): CacheTicket => {
    const read = cache.read(key);
    if ('sessionId' in read) throw new Error(`${key} is cached`);
    return read;
  };
  const hit = (key: string) => {
    const read = cache.read(key);
    return 'sessionId' in read ? read : undefined;
  };

  beforeEach(() => {
    now = 1_000_000;
    cache = new SessionCache(() => now);
    cache.listening(true);
  });

  it('answers from memory until the entry is due, then asks for a read again', () => {
    cache.remember(ticket('k1'), 'k1', session('s1', 'u1'), now + 60_000);
    expect(hit('k1')).toMatchObject({ sessionId: 's1', userId: 'u1' });
    now += 59_999;
    expect(hit('k1')).toBeDefined();
    now += 1;
    expect(hit('k1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a session or every session of a user when told of a change', () => {
    cache.remember(ticket('k1'), 'k1', session('s1', 'u1'), now + 60_000);
    cache.remember(ticket('k2'), 'k2', session('s2', 'u1'), now + 60_000);
    cache.remember(ticket('k3'), 'k3', session('s3', 'u2'), now + 60_000);
    cache.forgetSession('s1');
    expect([hit('k1'), hit('k2'), hit('k3')].map((s) => s?.sessionId)).toEqual([undefined, 's2', 's3']);
    cache.forgetUser('u1');
    expect([hit('k2'), hit('k3')].map((s) => s?.sessionId)).toEqual([undefined, 's3']);
    cache.forgetAll();
    expect(hit('k3')).toBeUndefined();
  });

  it('drops what a read found when a change was notified while it ran', () => {
    const started = ticket('k1');
    cache.forgetSession('another session');
    cache.remember(started, 'k1', session('s1', 'u1'), now + 60_000);
    expect(hit('k1')).toBeUndefined();
    cache.remember(ticket('k1'), 'k1', session('s1', 'u1'), now + 60_000);
    expect(hit('k1')).toBeDefined();
  });

  it('keeps nothing while notifications may be missed, and forgets everything when they stop', () => {
    cache.remember(ticket('k1'), 'k1', session('s1', 'u1'), now + 60_000);
    cache.listening(false);
    expect(hit('k1')).toBeUndefined();
    cache.remember(ticket('k1'), 'k1', session('s1', 'u1'), now + 60_000);
    expect(hit('k1')).toBeUndefined();
    // A read started before LISTEN was back in place may have missed a change.
    const before = ticket('k1');
    cache.listening(true);
    cache.remember(before, 'k1', session('s1', 'u1'), now + 60_000);
    expect(hit('k1')).toBeUndefined();
  });

  it("keeps a session or user this replica revokes out of the cache until the revocation's commit is long past", () => {
    cache.remember(ticket('k1'), 'k1', session('s1', 'u1'), now + 60_000);
    cache.remember(ticket('k2'), 'k2', session('s2', 'u2'), now + 60_000);
    cache.revokeSession('s1');
    cache.revokeUser('u2');
    expect([hit('k1'), hit('k2')]).toEqual([undefined, undefined]);
    // A read that saw the rows before the revoking transaction committed is not kept.
    cache.remember(ticket('k1'), 'k1', session('s1', 'u1'), now + 60_000);
    cache.remember(ticket('k2'), 'k2', session('s2', 'u2'), now + 60_000);
    cache.remember(ticket('k3'), 'k3', session('s3', 'u3'), now + 60_000);
    expect([hit('k1'), hit('k2'), hit('k3')].map((s) => s?.sessionId)).toEqual([undefined, undefined, 's3']);
    now += 60_000;
    cache.remember(ticket('k2'), 'k2', session('s2', 'u2'), now + 60_000);
    expect(hit('k2')).toBeDefined();
  });

  it('shares a read between the requests that miss together, never across a change', async () => {
    let reads = 0;
    const release: (() => void)[] = [];
    const read = () =>
      new Promise<SessionContext | null>((resolve) => {
        const n = (reads += 1);
        release.push(() => resolve(session(`s${n}`, 'u1')));
      });
    const first = cache.share('k1', ticket('k1'), read);
    const joined = cache.share('k1', ticket('k1'), read);
    expect(reads).toBe(1);
    // A change while the read runs: a request arriving now must not take its answer.
    cache.forgetUser('u1');
    const after = cache.share('k1', ticket('k1'), read);
    expect(reads).toBe(2);
    release.forEach((go) => go());
    expect((await first)?.sessionId).toBe('s1');
    expect((await joined)?.sessionId).toBe('s1');
    expect((await after)?.sessionId).toBe('s2');
    // Done: the next miss reads again.
    const again = cache.share('k1', ticket('k1'), read);
    expect(reads).toBe(3);
    release[2]!();
    expect((await again)?.sessionId).toBe('s3');
  });

  it('does not keep an entry already due', () => {
    cache.remember(ticket('k1'), 'k1', session('s1', 'u1'), now);
    expect(cache.size).toBe(0);
  });
});
