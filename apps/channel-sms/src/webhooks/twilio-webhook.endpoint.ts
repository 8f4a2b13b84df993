import { Injectable } from '@nestjs/common';
import type { ChannelWebhookRequest } from '@switchboard/contracts';
import {
  type ConfigOf,
  DependencyUnavailableError,
  InjectConfig,
  countWebhook,
  createLogger,
  isTransientDatabaseError,
  reportIfDependencyDown,
} from '@switchboard/platform';
import { SmsChannelConfig } from '../sms-channel.config.js';
import { DeliveryStatusService } from './delivery-status.service.js';
import { InboundSmsService, emptyTwiml } from './inbound-sms.service.js';
import { TwilioSignatureError } from './twilio-webhook.errors.js';

/** A Twilio webhook as either server received it. */
export interface TwilioWebhookInput {
  readonly signature: string | undefined;
  /** The request's `Content-Type`, as sent. */
  readonly contentType: string | undefined;
  readonly rawBody: Buffer;
  /** The path and query Twilio called. */
  readonly originalUrl: string;
  /** This server's scheme and host, for the URL when PUBLIC_BASE_URL is unset. */
  readonly protocol: string;
  readonly host: string | undefined;
}

export interface TwilioWebhookAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly retryAfterSeconds?: number;
}

const TWIML = 'text/xml; charset=utf-8';
const PLAIN = 'text/plain; charset=utf-8';

/**
 * What Twilio's webhooks are answered, whichever server took them (Nest's route, or channel-sms's
 * own node:http route ahead of it, ADR 0141): as Twilio's own middleware does (400 without a
 * signature, 403 with a wrong one), 503 with Retry-After when a dependency is down so Twilio
 * retries (the outage logged once, as the platform's DependencyOutageFilter does), 500 otherwise;
 * errors as plain text, never JSON under `text/xml`.
 */
@Injectable()
export class TwilioWebhookEndpoint {
  private readonly logger = createLogger('channel-sms.webhooks');

  constructor(
    @InjectConfig(SmsChannelConfig) private readonly config: ConfigOf<typeof SmsChannelConfig>,
    private readonly inbound: InboundSmsService,
    private readonly statuses: DeliveryStatusService,
  ) {}

  async answer(kind: 'message' | 'status', input: TwilioWebhookInput): Promise<TwilioWebhookAnswer> {
    if (!input.signature) {
      countWebhook('twilio', 'rejected_signature');
      return plain(400, 'X-Twilio-Signature is missing');
    }
    if (!isForm(input.contentType) || input.rawBody.length === 0) {
      countWebhook('twilio', 'malformed');
      return plain(400, 'expected a form-encoded body');
    }
    // The URL Twilio called, not the one this server sees behind a proxy.
    const base = this.config.PUBLIC_BASE_URL ?? `${input.protocol}://${input.host ?? 'localhost'}`;
    const request: ChannelWebhookRequest = {
      url: base + input.originalUrl,
      headers: { 'x-twilio-signature': input.signature },
      rawBody: input.rawBody,
    };
    try {
      if (kind === 'message')
        return { status: 200, contentType: TWIML, body: await this.inbound.receive(request) };
      await this.statuses.record(request);
      countWebhook('twilio', 'accepted');
      return { status: 200, contentType: TWIML, body: emptyTwiml() };
    } catch (error) {
      if (error instanceof TwilioSignatureError) {
        countWebhook('twilio', 'rejected_signature');
        this.logger.warn(
          { path: input.originalUrl.split('?')[0], reason: error.message },
          'rejected a Twilio webhook',
        );
        return plain(403, 'Twilio signature does not match');
      }
      const unavailable = error instanceof DependencyUnavailableError || isTransientDatabaseError(error);
      countWebhook('twilio', unavailable ? 'unavailable' : 'failed');
      const down = reportIfDependencyDown(error);
      if (down !== undefined)
        return {
          ...plain(503, `${down.dependency} is unavailable; try again later`),
          retryAfterSeconds: down.retryAfterSeconds,
        };
      this.logger.error({ err: error }, 'request failed');
      return plain(500, 'Internal server error');
    }
  }
}

/** `application/x-www-form-urlencoded`, whatever its parameters and case. */
function isForm(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const end = contentType.indexOf(';');
  return (
    (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase() ===
    'application/x-www-form-urlencoded'
  );
}

function plain(status: number, body: string): TwilioWebhookAnswer {
  return { status, contentType: PLAIN, body };
}
