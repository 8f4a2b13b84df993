import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst of twice the rate, then one call per 1/rate seconds, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const granted = Array.from({ length: 25 }, () => limiter.take('a', 10)).filter((r) => r === null);
    expect(granted).toHaveLength(20);
    expect(limiter.take('a', 10)).toBe(100);
    expect(limiter.take('b', 10)).toBeNull();
    now += 100;
    expect(limiter.take('a', 10)).toBeNull();
    expect(limiter.take('a', 10)).toBe(100);
    now += 10_000;
    const refilled = Array.from({ length: 25 }, () => limiter.take('a', 10)).filter((r) => r === null);
    expect(refilled).toHaveLength(20);
  });
});
