import { RateLimiter } from './rate-limiter.util.js';

describe('RateLimiter', () => {
  it('allows a burst of `capacity`, then one per refill interval', () => {
    const limiter = new RateLimiter(3, 0.5);
    const t0 = 1_000_000;
    expect([limiter.take('a', t0), limiter.take('a', t0), limiter.take('a', t0)]).toEqual([0, 0, 0]);
    expect(limiter.take('a', t0)).toBe(2000);
    expect(limiter.take('a', t0 + 1000)).toBe(1000);
    expect(limiter.take('a', t0 + 2000)).toBe(0);
  });

  it('keeps keys apart and prunes the idle ones', () => {
    const limiter = new RateLimiter(1, 1);
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('b', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBeGreaterThan(0);
    limiter.prune(10_000);
    expect(limiter.take('a', 10_000)).toBe(0);
  });
});
