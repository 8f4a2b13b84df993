import { Injectable } from '@nestjs/common';

export type WebhookProvider = 'meta' | 'telegram';

/**
 * Webhooks naming a number, page, account or bot that no workspace connected, since the process
 * started. They are answered 200 (Meta disables a webhook that keeps failing), so this counter and
 * one log line are how an operator sees a subscription pointing at the wrong app.
 */
@Injectable()
export class UnknownRecipientCounter {
  private readonly counts: Record<WebhookProvider, number> = { meta: 0, telegram: 0 };

  add(provider: WebhookProvider): void {
    this.counts[provider] += 1;
  }

  value(provider: WebhookProvider): number {
    return this.counts[provider];
  }

  /** Prometheus' text exposition format. */
  exposition(): string {
    const name = 'switchboard_social_unknown_recipient_webhooks_total';
    return [
      `# HELP ${name} Webhooks for a number, page, account or bot no workspace connected (answered 200).`,
      `# TYPE ${name} counter`,
      ...(Object.keys(this.counts) as WebhookProvider[]).map(
        (provider) => `${name}{provider="${provider}"} ${this.counts[provider]}`,
      ),
      '',
    ].join('\n');
  }
}
