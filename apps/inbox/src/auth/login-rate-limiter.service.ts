import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource } from '@switchboard/platform';
import { createHash, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { DataSource } from 'typeorm';

/**
 * Failed password checks allowed per window (ADR 0056). Nothing here lets a stranger lock the
 * real user out: a guesser is stopped per account and address, a guesser spread over many
 * addresses per account only for browsers the account never signed in from, and a browser that
 * did is limited on its own.
 */
export const LOGIN_LIMITS = {
  windowSeconds: 15 * 60,
  /** One address guessing one account's password. */
  perAccountAndAddress: 5,
  /** One address trying many accounts (password spraying). */
  perAddress: 30,
  /** Every address together against one account, counted and enforced for unknown browsers only. */
  perAccount: 20,
  /** A browser that signed in to the account before (its trust cookie), wherever it is. */
  perDevice: 5,
  /** Workspaces one address may sign up: the sign-up page is public and each makes rows. */
  signUpsPerAddress: 5,
} as const;

/**
 * Sign-ups are kept in the failures' table under this pseudo-account (no email can be it), so
 * they share its window and its pruning; they never count against an address's sign-ins.
 */
const SIGN_UP_KEY = '(sign-up)';

/** How long a browser stays trusted for an account after it last signed in to it. */
export const DEVICE_TRUST_DAYS = 90;

export class TooManyLoginAttemptsError extends Error {
  override readonly name = 'TooManyLoginAttemptsError';
  constructor(
    readonly retryAfterSeconds: number,
    what = 'failed sign-ins',
  ) {
    super(`Too many ${what}. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`);
  }
}

/** Who is trying to prove they know an account's password, as the limits see them. */
export interface PasswordAttempt {
  /** The account's email, lower-case. */
  readonly accountKey: string;
  readonly ip: string;
  /** The browser's trust cookie, if it sent one. */
  readonly deviceToken?: string | undefined;
}

/** An attempt the limits let through: pass it back to record how it went. */
export interface AdmittedAttempt {
  readonly accountKey: string;
  /** The address, IPv6 clients by their /64 (one subscriber's whole allocation). */
  readonly address: string;
  /** Set when the browser's trust cookie is valid for this account. */
  readonly trustedDevice: { readonly token: string; readonly hash: Buffer } | null;
}

interface FailureCounts {
  pair: number;
  address: number;
  account: number;
  device: number;
  pair_oldest: number | null;
  address_oldest: number | null;
  account_oldest: number | null;
  device_oldest: number | null;
}

const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Counts failures in PostgreSQL rather than in memory, so replicas behind a load balancer share
 * one count and a restart does not reset it. Sign-in and the password change share it.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(@InjectServiceDataSource('inbox') private readonly db: DataSource) {}

  /** Throws `TooManyLoginAttemptsError` while a limit that applies to this attempt is reached. */
  async check(attempt: PasswordAttempt): Promise<AdmittedAttempt> {
    const admitted: AdmittedAttempt = {
      accountKey: attempt.accountKey,
      address: addressKey(attempt.ip),
      trustedDevice: await this.trustedDevice(attempt),
    };
    const [row] = await this.db.query<[FailureCounts]>(
      `SELECT
         count(*) FILTER (WHERE account_key = $1 AND ip = $2 AND device_hash IS NULL)::int AS pair,
         count(*) FILTER (WHERE ip = $2 AND account_key <> $5)::int AS address,
         count(*) FILTER (WHERE account_key = $1 AND device_hash IS NULL)::int AS account,
         count(*) FILTER (WHERE device_hash = $3)::int AS device,
         extract(epoch FROM min(at) FILTER (WHERE account_key = $1 AND ip = $2 AND device_hash IS NULL))::float AS pair_oldest,
         extract(epoch FROM min(at) FILTER (WHERE ip = $2 AND account_key <> $5))::float AS address_oldest,
         extract(epoch FROM min(at) FILTER (WHERE account_key = $1 AND device_hash IS NULL))::float AS account_oldest,
         extract(epoch FROM min(at) FILTER (WHERE device_hash = $3))::float AS device_oldest
       FROM inbox.login_failures
       WHERE (account_key = $1 OR ip = $2) AND at > now() - make_interval(secs => $4)`,
      [
        admitted.accountKey,
        admitted.address,
        admitted.trustedDevice?.hash ?? null,
        LOGIN_LIMITS.windowSeconds,
        SIGN_UP_KEY,
      ],
    );
    const now = Date.now() / 1000;
    const retryAfter = (oldest: number | null) =>
      Math.max(1, Math.ceil((oldest ?? now) + LOGIN_LIMITS.windowSeconds - now));
    if (admitted.trustedDevice) {
      // A browser the account signed in from: only its own failures count against it.
      if (row.device >= LOGIN_LIMITS.perDevice)
        throw new TooManyLoginAttemptsError(retryAfter(row.device_oldest));
      return admitted;
    }
    if (row.pair >= LOGIN_LIMITS.perAccountAndAddress)
      throw new TooManyLoginAttemptsError(retryAfter(row.pair_oldest));
    if (row.address >= LOGIN_LIMITS.perAddress)
      throw new TooManyLoginAttemptsError(retryAfter(row.address_oldest));
    if (row.account >= LOGIN_LIMITS.perAccount)
      throw new TooManyLoginAttemptsError(retryAfter(row.account_oldest));
    return admitted;
  }

  /**
   * A public sign-up from `ip`, counted before the workspace is made: refused with
   * `TooManyLoginAttemptsError` once the address made `signUpsPerAddress` in the window.
   */
  async admitSignUp(ip: string): Promise<void> {
    const address = addressKey(ip);
    const [row] = await this.db.query<[{ made: number; oldest: number | null }]>(
      `WITH counted AS (
         INSERT INTO inbox.login_failures (account_key, ip, device_hash) VALUES ($1, $2, NULL)
       )
       SELECT count(*)::int AS made, extract(epoch FROM min(at))::float AS oldest
       FROM inbox.login_failures
       WHERE account_key = $1 AND ip = $2 AND at > now() - make_interval(secs => $3)`,
      [SIGN_UP_KEY, address, LOGIN_LIMITS.windowSeconds],
    );
    // The statement's own row is not visible to its SELECT: `made` is the sign-ups before it.
    if (row.made >= LOGIN_LIMITS.signUpsPerAddress) {
      const now = Date.now() / 1000;
      const retryAfter = Math.max(1, Math.ceil((row.oldest ?? now) + LOGIN_LIMITS.windowSeconds - now));
      throw new TooManyLoginAttemptsError(retryAfter, 'sign-ups from this address');
    }
  }

  async recordFailure(attempt: AdmittedAttempt): Promise<void> {
    await this.db.query(
      'INSERT INTO inbox.login_failures (account_key, ip, device_hash) VALUES ($1, $2, $3)',
      [attempt.accountKey, attempt.address, attempt.trustedDevice?.hash ?? null],
    );
    // Old rows are useless; pruning here keeps the tables small without a timer.
    if (Math.random() < 0.05) {
      await this.db.query('DELETE FROM inbox.login_failures WHERE at < now() - make_interval(secs => $1)', [
        LOGIN_LIMITS.windowSeconds * 2,
      ]);
      await this.db.query(
        'DELETE FROM inbox.trusted_devices WHERE last_used_at < now() - make_interval(days => $1)',
        [DEVICE_TRUST_DAYS],
      );
    }
  }

  /**
   * The right password: this address's and this browser's failures are forgiven (a typo is not
   * an attack), never the account's count across addresses, and the browser is trusted for the
   * account from now on. Returns the trust cookie's value to send back.
   */
  async recordSuccess(attempt: AdmittedAttempt): Promise<string> {
    await this.db.query(
      `DELETE FROM inbox.login_failures
       WHERE (account_key = $1 AND ip = $2 AND device_hash IS NULL) OR device_hash = $3`,
      [attempt.accountKey, attempt.address, attempt.trustedDevice?.hash ?? null],
    );
    // A cookie is trusted for the one account it was issued to: a new browser gets a new token,
    // never one it presented (a planted cookie must not become trusted).
    const token = attempt.trustedDevice?.token ?? randomBytes(32).toString('base64url');
    await this.db.query(
      `INSERT INTO inbox.trusted_devices (token_hash, account_key) VALUES ($1, $2)
       ON CONFLICT (token_hash, account_key) DO UPDATE SET last_used_at = now()`,
      [hashToken(token), attempt.accountKey],
    );
    return token;
  }

  private async trustedDevice(attempt: PasswordAttempt): Promise<AdmittedAttempt['trustedDevice']> {
    const token = attempt.deviceToken;
    if (token === undefined || !DEVICE_TOKEN.test(token)) return null;
    const hash = hashToken(token);
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM inbox.trusted_devices
       WHERE token_hash = $1 AND account_key = $2 AND last_used_at > now() - make_interval(days => $3)`,
      [hash, attempt.accountKey, DEVICE_TRUST_DAYS],
    );
    return rows.length > 0 ? { token, hash } : null;
  }
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The address limits count by: IPv4 as is, IPv6 by its /64, since one subscriber routinely holds
 * a whole /64 and could otherwise rotate through it.
 */
export function addressKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
