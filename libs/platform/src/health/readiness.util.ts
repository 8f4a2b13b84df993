import { redactSecretValues } from '../logging/redaction.util.js';

/**
 * Resolves when the dependency is usable; throws (or rejects) with the reason when it isn't.
 * The signal aborts when the check's time is up, for checks that can cancel their work.
 */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void> | void;

export type CheckResult =
  | { readonly status: 'up'; readonly durationMs: number }
  | { readonly status: 'down'; readonly durationMs: number; readonly reason: string };

export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, CheckResult>>;
}

const MAX_REASON_LENGTH = 300;

/** Runs every check in parallel, each bounded by `timeoutMs`; one slow dependency can't hide the rest. */
export async function runReadinessChecks(
  checks: ReadonlyMap<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]) => [name, await runOne(check, timeoutMs)] as const),
  );
  return {
    status: entries.every(([, result]) => result.status === 'up') ? 'ok' : 'unavailable',
    checks: Object.fromEntries(entries),
  };
}

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    // async wrapper: a check that throws synchronously is a failed check, not a crashed probe.
    await Promise.race([(async () => check(controller.signal))(), timeout]);
    return { status: 'up', durationMs: elapsed(started) };
  } catch (error) {
    return { status: 'down', durationMs: elapsed(started), reason: describeFailure(error) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

// The body of /readyz is public to anyone who can reach the port: secrets and credentials
// that drivers sometimes put in messages are scrubbed, and the text is bounded.
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  const reason = redactSecretValues(message).replace(/\s+/g, ' ').trim();
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 3)}...` : reason;
}
