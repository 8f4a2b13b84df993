import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

/** Failed sign-ins allowed per window: per account (guessing one password) and per IP (spraying many). */
export const LOGIN_LIMITS = { windowSeconds: 15 * 60, perAccount: 5, perIp: 30 } as const;

export class TooManyLoginAttemptsError extends Error {
  override readonly name = 'TooManyLoginAttemptsError';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed sign-ins. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`);
  }
}

interface FailureCounts {
  account_failures: number;
  ip_failures: number;
  account_oldest: number | null;
  ip_oldest: number | null;
}

/**
 * Counts failures in PostgreSQL rather than in memory, so replicas behind a load balancer share
 * one count and a restart does not reset it.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(@InjectServiceDataSource('inbox') private readonly db: DataSource) {}

  /** Throws `TooManyLoginAttemptsError` while either limit is reached. */
  async check(accountKey: string, ip: string): Promise<void> {
    const [row] = await this.db.query<[FailureCounts]>(
      `SELECT
         count(*) FILTER (WHERE account_key = $1)::int AS account_failures,
         count(*) FILTER (WHERE ip = $2)::int AS ip_failures,
         extract(epoch FROM min(at) FILTER (WHERE account_key = $1))::float AS account_oldest,
         extract(epoch FROM min(at) FILTER (WHERE ip = $2))::float AS ip_oldest
       FROM inbox.login_failures
       WHERE (account_key = $1 OR ip = $2) AND at > now() - make_interval(secs => $3)`,
      [accountKey, ip, LOGIN_LIMITS.windowSeconds],
    );
    const now = Date.now() / 1000;
    const retryAfter = (oldest: number | null) =>
      Math.max(1, Math.ceil((oldest ?? now) + LOGIN_LIMITS.windowSeconds - now));
    if (row.account_failures >= LOGIN_LIMITS.perAccount)
      throw new TooManyLoginAttemptsError(retryAfter(row.account_oldest));
    if (row.ip_failures >= LOGIN_LIMITS.perIp) throw new TooManyLoginAttemptsError(retryAfter(row.ip_oldest));
  }

  async recordFailure(accountKey: string, ip: string): Promise<void> {
    await this.db.query('INSERT INTO inbox.login_failures (account_key, ip) VALUES ($1, $2)', [
      accountKey,
      ip,
    ]);
    // Old rows are useless; pruning here keeps the table small without a timer.
    if (Math.random() < 0.05) {
      await this.db.query('DELETE FROM inbox.login_failures WHERE at < now() - make_interval(secs => $1)', [
        LOGIN_LIMITS.windowSeconds * 2,
      ]);
    }
  }

  /** A correct password clears the account's count (not the IP's: one known password must not unlock spraying). */
  async clearAccount(accountKey: string): Promise<void> {
    await this.db.query('DELETE FROM inbox.login_failures WHERE account_key = $1', [accountKey]);
  }
}
