import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectServiceDataSource, createLogger, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';

/** A limit: `burst` at once, then one every `1 / perSecond` seconds. */
export interface RateLimit {
  readonly key: string;
  readonly burst: number;
  readonly perSecond: number;
}

const SWEEP_MS = 60_000;

/**
 * Rate limits every replica of the web channel shares (ADR 0041), in PostgreSQL: the generic cell
 * rate algorithm, one row per key with its theoretical arrival time. Several limits are taken in
 * one statement, as the in-process buckets were: each allowed one is spent even when another
 * refuses.
 */
@Injectable()
export class SharedRateLimitsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('channel-web.rate-limits');
  private sweeper: NodeJS.Timeout | undefined;

  constructor(@InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  /** Takes one from each limit; 0 when all allowed, else how long until the last refusal clears (ms). */
  async take(limits: readonly RateLimit[]): Promise<number> {
    if (limits.length === 0) return 0;
    const allowed = await queryRows<{ key: string }>(
      this.db,
      `INSERT INTO channels.web_rate_buckets AS b (key, tat, step, burst)
       SELECT k, now() + make_interval(secs => s), make_interval(secs => s), make_interval(secs => s * n)
       FROM unnest($1::text[], $2::float8[], $3::float8[]) AS t(k, s, n)
       ON CONFLICT (key) DO UPDATE SET tat = greatest(b.tat, now()) + excluded.step,
         step = excluded.step, burst = excluded.burst
       WHERE greatest(b.tat, now()) + excluded.step <= now() + excluded.burst
       RETURNING key`,
      [limits.map((l) => l.key), limits.map((l) => 1 / l.perSecond), limits.map((l) => l.burst)],
    );
    if (allowed.length === limits.length) return 0;
    const passed = new Set(allowed.map((r) => r.key));
    const refused = limits.filter((l) => !passed.has(l.key));
    const waits = await queryRows<{ ms: number }>(
      this.db,
      `SELECT ceil(extract(epoch FROM tat + step - burst - now()) * 1000)::float8 AS ms
       FROM channels.web_rate_buckets WHERE key = ANY($1::text[])`,
      [refused.map((l) => l.key)],
    );
    return Math.max(1, ...waits.map((w) => Number(w.ms)));
  }

  /** Forgets keys whose bucket is full again, so idle visitors and addresses don't accumulate. */
  private async sweep(): Promise<void> {
    await this.db
      .query('DELETE FROM channels.web_rate_buckets WHERE tat < now()')
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'rate-limit sweep failed; next round retries'),
      );
  }
}
