import { TransientMediaError } from '@switchboard/contracts';
import { isTransientDatabaseError } from '../database/transient-database-error.util.js';
import { createLogger } from '../logging/logger.util.js';
import { DependencyUnavailableError } from './dependency-unavailable.error.js';

/** What a client is told to wait before it tries again (Twilio and Meta retry on their own schedule). */
export const RETRY_AFTER_SECONDS = 5;

/** An outage ends when no request has met it for this long; the next failure starts a new one. */
const OUTAGE_QUIET_MS = 30_000;

export interface DependencyDown {
  readonly dependency: string;
  readonly retryAfterSeconds: number;
}

interface Outage {
  readonly since: number;
  failures: number;
  readonly timer: NodeJS.Timeout;
}

const logger = createLogger('outages');
const outages = new Map<string, Outage>();

/**
 * When `error` says a dependency is down (a `DependencyUnavailableError`, a provider's media host
 * failing for now (the channel port's `TransientMediaError`), or the database
 * unreachable, restarting or refusing connections), counts it against that dependency's outage
 * and says what to answer; undefined for any other error. The first failure of an outage is logged
 * (one line, no stack), the rest only counted; the outage's end is logged with how many requests
 * it turned away.
 */
export function reportIfDependencyDown(error: unknown): DependencyDown | undefined {
  const dependency =
    error instanceof DependencyUnavailableError
      ? error.dependency
      : error instanceof TransientMediaError
        ? 'provider-media'
        : isTransientDatabaseError(error)
          ? 'database'
          : undefined;
  if (dependency === undefined) return undefined;
  const outage = outages.get(dependency);
  if (outage === undefined) {
    logger.error(
      { dependency, reason: describe(error) },
      `${dependency} unavailable: requests that need it are answered 503 until it is back`,
    );
    const timer = setTimeout(() => endOutage(dependency), OUTAGE_QUIET_MS).unref();
    outages.set(dependency, { since: Date.now(), failures: 1, timer });
  } else {
    outage.failures += 1;
    outage.timer.refresh();
  }
  return { dependency, retryAfterSeconds: RETRY_AFTER_SECONDS };
}

function endOutage(dependency: string): void {
  const outage = outages.get(dependency);
  if (outage === undefined) return;
  outages.delete(dependency);
  logger.info(
    { dependency, failedRequests: outage.failures, durationMs: Date.now() - outage.since - OUTAGE_QUIET_MS },
    `${dependency}: no request has failed on it for ${OUTAGE_QUIET_MS / 1000} s`,
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.name}: ${error.message}${cause}`;
}
