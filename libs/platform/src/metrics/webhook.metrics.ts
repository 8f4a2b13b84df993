import { counterMetric } from './metrics-registry.js';

/**
 * What became of a provider's webhook: `accepted` (durable, acknowledged), `duplicate` (a retry of
 * one acknowledged before), `rejected_signature` (403/400: not signed as the provider signs),
 * `malformed` (400), `unavailable` (503: a dependency was down, the provider retries), `failed`
 * (any other error).
 */
export const WEBHOOK_OUTCOMES = [
  'accepted',
  'duplicate',
  'rejected_signature',
  'malformed',
  'unavailable',
  'failed',
] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

let webhooks: ReturnType<typeof webhookCounter> | undefined;

function webhookCounter() {
  return counterMetric({
    name: 'switchboard_webhooks_total',
    help: 'Provider webhooks received, by provider (twilio, meta, telegram) and outcome.',
    labelNames: ['provider', 'outcome'] as const,
  });
}

/** Counts one webhook; `provider` is a fixed name in code, never taken from the request. */
export function countWebhook(provider: 'twilio' | 'meta' | 'telegram', outcome: WebhookOutcome): void {
  webhooks ??= webhookCounter();
  webhooks.inc({ provider, outcome });
}
