/**
 * Token buckets per API key: `ratePerSecond` tokens a second, bursts up to `2 × ratePerSecond`.
 * Per process: with N replicas behind a balancer a key gets up to N times its rate, which is the
 * usual trade for not paying a shared store on every call (docs/grpc.md says so).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number; rate: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes a token; null when granted, else the milliseconds until one is available. */
  take(key: string, ratePerSecond: number): number | null {
    const now = this.now();
    const burst = ratePerSecond * 2;
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.rate !== ratePerSecond) {
      bucket = { tokens: burst, updatedAt: now, rate: ratePerSecond };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * ratePerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000);
  }
}
