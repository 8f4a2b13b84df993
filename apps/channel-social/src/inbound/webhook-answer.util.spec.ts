import { BadRequestException, ForbiddenException, ServiceUnavailableException } from '@nestjs/common';
import { TransientMediaError, WebhookVerificationError } from '@switchboard/contracts';
import { EventBusUnavailableError } from '@switchboard/messaging';
import { createLogger, metricsRegistry } from '@switchboard/platform';
import { MalformedWebhookError } from './malformed-webhook.error.js';
import { WEBHOOK_DEADLINE_MS, answerWebhook } from './webhook-answer.util.js';

describe('answerWebhook', () => {
  const logger = createLogger('test');
  const failWith = (error: Error) =>
    answerWebhook(logger, 'meta', '/webhooks/meta', () => Promise.reject(error));
  const result = { published: 1, duplicates: 0, statuses: 0, unknownRecipients: [] };
  const counted = async (provider: string, outcome: string) => {
    const metric = await metricsRegistry.getSingleMetric('switchboard_webhooks_total')?.get();
    return (
      metric?.values.find((v) => v.labels.provider === provider && v.labels.outcome === outcome)?.value ?? 0
    );
  };

  it('answers what the work resolves with', async () => {
    await expect(answerWebhook(logger, 'meta', '/x', () => Promise.resolve(result))).resolves.toBe(result);
  });

  it('counts each outcome by provider: accepted, duplicate, rejected, malformed, unavailable', async () => {
    const before = {
      accepted: await counted('telegram', 'accepted'),
      duplicate: await counted('telegram', 'duplicate'),
      rejected: await counted('telegram', 'rejected_signature'),
      malformed: await counted('telegram', 'malformed'),
      unavailable: await counted('telegram', 'unavailable'),
    };
    const answer = (work: () => Promise<typeof result>) =>
      answerWebhook(logger, 'telegram', '/webhooks/telegram', work).catch(() => undefined);
    await answer(() => Promise.resolve(result));
    await answer(() => Promise.resolve({ ...result, published: 0, duplicates: 2 }));
    await answer(() => Promise.reject(new WebhookVerificationError('bad')));
    await answer(() => Promise.reject(new MalformedWebhookError('not JSON')));
    await answer(() => Promise.reject(new EventBusUnavailableError('down')));
    expect(await counted('telegram', 'accepted')).toBe(before.accepted + 1);
    expect(await counted('telegram', 'duplicate')).toBe(before.duplicate + 1);
    expect(await counted('telegram', 'rejected_signature')).toBe(before.rejected + 1);
    expect(await counted('telegram', 'malformed')).toBe(before.malformed + 1);
    expect(await counted('telegram', 'unavailable')).toBe(before.unavailable + 1);
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
      answerWebhook(logger, 'meta', '/webhooks/meta', () => new Promise<never>(() => undefined)),
    ).rejects.toBeInstanceOf(ServiceUnavailableException);
    expect(WEBHOOK_DEADLINE_MS).toBeLessThan(5_000);
  });
});
