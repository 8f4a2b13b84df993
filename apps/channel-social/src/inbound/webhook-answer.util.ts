import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { TransientMediaError, WebhookVerificationError } from '@switchboard/contracts';
import { EventBusUnavailableError } from '@switchboard/messaging';
import { type Logger, isTransientDatabaseError } from '@switchboard/platform';
import { MalformedWebhookError } from './malformed-webhook.error.js';

/**
 * Meta and Telegram wait some seconds for an answer, then retry: whatever is not durable by then
 * is answered 503 (the work may still finish; the retry is then deduplicated by its receipt, or by
 * history's provider id).
 */
export const WEBHOOK_DEADLINE_MS = 4_500;

class DeadlineExceeded extends Error {}

/**
 * Runs a webhook's work and translates its outcome for the provider: 403 unverified (nothing
 * published), 400 malformed, 503 within the deadline when the bus, the database or a media host
 * could not make it durable (so the provider retries).
 */
export async function answerWebhook<T>(logger: Logger, path: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), WEBHOOK_DEADLINE_MS);
  });
  const running = work();
  try {
    return await Promise.race([running, deadline]);
  } catch (error) {
    if (error instanceof HttpException) throw error;
    if (error instanceof WebhookVerificationError) {
      logger.warn({ path, reason: error.message }, 'rejected an unverified webhook');
      throw new ForbiddenException('signature does not match');
    }
    if (error instanceof MalformedWebhookError) throw new BadRequestException(error.message);
    if (
      error instanceof DeadlineExceeded ||
      error instanceof EventBusUnavailableError ||
      error instanceof TransientMediaError ||
      isTransientDatabaseError(error)
    ) {
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
    clearTimeout(timer);
  }
}
