import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelUnavailableError } from '@switchboard/contracts';

/** How often, and how far apart, a channel tries one send while its provider is unavailable. */
export interface SendRetryPolicy {
  readonly attempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_SEND_RETRY: SendRetryPolicy = {
  attempts: 5,
  initialBackoffMs: 250,
  maxBackoffMs: 4_000,
};

export interface SendRetryHooks {
  /** Told before each wait: the failure and which attempt it ended. */
  retrying(error: ChannelUnavailableError, attempt: number): void;
  /** What to throw once every attempt failed (the batch is then retried later, in order). */
  giveUp(error: ChannelUnavailableError, attempts: number): Error | Promise<Error>;
}

/**
 * Runs `send` until it settles without a `ChannelUnavailableError` (the provider unreachable or
 * overloaded), at most `policy.attempts` times, waiting an exponential backoff with full jitter
 * between attempts, so that many workspaces hitting a provider's rate limit together don't retry in
 * lockstep. Any other error is thrown at once.
 */
export async function retryWhileChannelUnavailable<T>(
  policy: SendRetryPolicy,
  send: () => Promise<T>,
  hooks: SendRetryHooks,
): Promise<T> {
  let backoff = policy.initialBackoffMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ChannelUnavailableError)) throw error;
      if (attempt >= policy.attempts) throw await hooks.giveUp(error, attempt);
      hooks.retrying(error, attempt);
      await sleep(Math.round(backoff / 2 + (Math.random() * backoff) / 2));
      backoff = Math.min(backoff * 2, policy.maxBackoffMs);
    }
  }
}
