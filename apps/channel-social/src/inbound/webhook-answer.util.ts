import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { TransientMediaError, WebhookVerificationError } from '@switchboard/contracts';
import { EventBusUnavailableError } from '@switchboard/messaging';
import {
  type Logger,
  type WebhookOutcome,
  countWebhook,
  isTransientDatabaseError,
} from '@switchboard/platform';
import type { ReceiveResult } from './social-inbound.service.js';
import { MalformedWebhookError } from './malformed-webhook.error.js';

/**
 * Meta and Telegram wait some seconds for an answer, then retry: whatever is not durable by then
 * is answered 503 (the work may still finish; the retry is then deduplicated by its receipt, or by
 * history's provider id).
 */
export const WEBHOOK_DEADLINE_MS = 4_500;

class DeadlineExceeded extends Error {}

/**
 * Webhooks that arrive within this long of each other share one deadline (one timer and one
 * promise, not one of each per webhook at hundreds a second): each is answered 503 between
 * WEBHOOK_DEADLINE_MS less this and WEBHOOK_DEADLINE_MS after it started, never later.
 */
const DEADLINE_SHARED_FOR_MS = 100;
let current: { readonly joinUntil: number; readonly expired: Promise<never> } | undefined;

/** The deadline of a webhook starting now: rejects with `DeadlineExceeded` at most WEBHOOK_DEADLINE_MS from now. */
function sharedDeadline(): Promise<never> {
  const now = performance.now();
  if (current === undefined || now > current.joinUntil) {
    const expired = new Promise<never>((_, reject) => {
      // Unref'd: a webhook still waiting holds its connection, which keeps the process up.
      setTimeout(() => reject(new DeadlineExceeded()), WEBHOOK_DEADLINE_MS).unref();
    });
    // Every webhook of the group may have been answered long before: not an unhandled rejection.
    expired.catch(() => undefined);
    current = { joinUntil: now + DEADLINE_SHARED_FOR_MS, expired };
  }
  return current.expired;
}

/**
 * Runs a webhook's work and translates its outcome for the provider: 403 unverified (nothing
 * published), 400 malformed, 503 within the deadline when the bus, the database or a media host
 * could not make it durable (so the provider retries). Each outcome is counted per provider in
 * `switchboard_webhooks_total`.
 */
export async function answerWebhook(
  logger: Logger,
  provider: 'meta' | 'telegram',
  path: string,
  work: () => Promise<ReceiveResult>,
): Promise<ReceiveResult> {
  const deadline = sharedDeadline();
  const running = work();
  let outcome: WebhookOutcome = 'failed';
  try {
    const result = await Promise.race([running, deadline]);
    // A retry of a webhook acknowledged before publishes nothing new.
    outcome = result.published === 0 && result.duplicates > 0 ? 'duplicate' : 'accepted';
    return result;
  } catch (error) {
    if (error instanceof HttpException) {
      if (error.getStatus() === 403) outcome = 'rejected_signature';
      else if (error.getStatus() === 400) outcome = 'malformed';
      throw error;
    }
    if (error instanceof WebhookVerificationError) {
      outcome = 'rejected_signature';
      logger.warn({ path, reason: error.message }, 'rejected an unverified webhook');
      throw new ForbiddenException('signature does not match');
    }
    if (error instanceof MalformedWebhookError) {
      outcome = 'malformed';
      throw new BadRequestException(error.message);
    }
    if (
      error instanceof DeadlineExceeded ||
      error instanceof EventBusUnavailableError ||
      error instanceof TransientMediaError ||
      isTransientDatabaseError(error)
    ) {
      outcome = 'unavailable';
      // The late work's own failure is of no use to anyone now.
      if (error instanceof DeadlineExceeded) running.catch(() => undefined);
      logger.warn(
        { path, err: (error as Error).message },
        'webhook not acknowledged; the provider will retry',
      );
      throw new ServiceUnavailableException('try again');
    }
    throw error;
  } finally {
    countWebhook(provider, outcome);
  }
}
