import { Injectable } from '@nestjs/common';
import { counterMetric } from '@switchboard/platform';

export type WebhookProvider = 'meta' | 'telegram';

/**
 * Webhooks naming a number, page, account or bot that no workspace connected. They are answered
 * 200 (Meta disables a webhook that keeps failing), so this counter on `GET /metrics` and one log
 * line are how an operator sees a subscription pointing at the wrong app.
 */
@Injectable()
export class UnknownRecipientCounter {
  private readonly counter = counterMetric({
    name: 'switchboard_social_unknown_recipient_webhooks_total',
    help: 'Webhooks for a number, page, account or bot no workspace connected (answered 200).',
    labelNames: ['provider'] as const,
  });

  constructor() {
    // Both series from the start: an alert on a rate needs a zero before the first increase.
    for (const provider of ['meta', 'telegram'] as const) this.counter.inc({ provider }, 0);
  }

  add(provider: WebhookProvider): void {
    this.counter.inc({ provider });
  }
}
