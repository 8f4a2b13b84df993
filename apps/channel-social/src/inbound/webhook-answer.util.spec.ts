import { BadRequestException, ForbiddenException, ServiceUnavailableException } from '@nestjs/common';
import { TransientMediaError, WebhookVerificationError } from '@switchboard/contracts';
import { EventBusUnavailableError } from '@switchboard/messaging';
import { createLogger } from '@switchboard/platform';
import { MalformedWebhookError } from './malformed-webhook.error.js';
import { WEBHOOK_DEADLINE_MS, answerWebhook } from './webhook-answer.util.js';

describe('answerWebhook', () => {
  const logger = createLogger('test');
  const failWith = (error: Error) => answerWebhook(logger, '/webhooks/meta', () => Promise.reject(error));

  it('answers what the work resolves with', async () => {
    await expect(answerWebhook(logger, '/x', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('maps an unverified webhook to 403, a malformed one to 400, and what could not be made durable to 503', async () => {
    await expect(failWith(new WebhookVerificationError('bad'))).rejects.toBeInstanceOf(ForbiddenException);
    await expect(failWith(new MalformedWebhookError('not JSON'))).rejects.toBeInstanceOf(BadRequestException);
    await expect(failWith(new EventBusUnavailableError('down'))).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
    await expect(failWith(new TransientMediaError('media host 502'))).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
    const connectionRefused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    await expect(failWith(connectionRefused)).rejects.toBeInstanceOf(ServiceUnavailableException);
    await expect(failWith(new TypeError('a bug'))).rejects.toBeInstanceOf(TypeError);
  });

  it('answers 503 within the deadline when the bus or database hangs, so the provider retries', async () => {
    // Without the deadline this would hang until jest's timeout: it fails rather than waits.
    await expect(
      answerWebhook(logger, '/webhooks/meta', () => new Promise<never>(() => undefined)),
    ).rejects.toBeInstanceOf(ServiceUnavailableException);
    expect(WEBHOOK_DEADLINE_MS).toBeLessThan(5_000);
  });
});
