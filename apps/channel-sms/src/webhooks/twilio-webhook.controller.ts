import {
  BadRequestException,
  Controller,
  ForbiddenException,
  Header,
  HttpCode,
  Post,
  type RawBodyRequest,
  Req,
} from '@nestjs/common';
import type { ChannelWebhookRequest } from '@switchboard/contracts';
import {
  type ConfigOf,
  DependencyUnavailableError,
  InjectConfig,
  countWebhook,
  createLogger,
  isTransientDatabaseError,
} from '@switchboard/platform';
import type { Request } from 'express';
import { SmsChannelConfig } from '../sms-channel.config.js';
import { DeliveryStatusService } from './delivery-status.service.js';
import { InboundSmsService, emptyTwiml } from './inbound-sms.service.js';
import { TwilioSignatureError } from './twilio-webhook.errors.js';

/**
 * Twilio's webhooks. Answers as Twilio's own middleware does (400 without a signature, 403 with a
 * wrong one) and 503 with Retry-After when a dependency is down, so Twilio retries; errors are plain
 * text under `text/plain` (the platform's DependencyOutageFilter), never JSON under `text/xml`.
 */
@Controller('webhooks/twilio')
export class TwilioWebhookController {
  private readonly logger = createLogger('channel-sms.webhooks');

  constructor(
    @InjectConfig(SmsChannelConfig) private readonly config: ConfigOf<typeof SmsChannelConfig>,
    private readonly inbound: InboundSmsService,
    private readonly statuses: DeliveryStatusService,
  ) {}

  @Post('sms')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  async receiveMessage(@Req() req: RawBodyRequest<Request>): Promise<string> {
    return this.handle(req, 'message');
  }

  @Post('status')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml; charset=utf-8')
  async receiveStatus(@Req() req: RawBodyRequest<Request>): Promise<string> {
    return this.handle(req, 'status');
  }

  private async handle(req: RawBodyRequest<Request>, kind: 'message' | 'status'): Promise<string> {
    const signature = req.header('x-twilio-signature');
    if (!signature) {
      countWebhook('twilio', 'rejected_signature');
      throw new BadRequestException('X-Twilio-Signature is missing');
    }
    if (!req.is('application/x-www-form-urlencoded') || req.rawBody === undefined) {
      countWebhook('twilio', 'malformed');
      throw new BadRequestException('expected a form-encoded body');
    }
    // The URL Twilio called, not the one this server sees behind a proxy.
    const base = this.config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const request: ChannelWebhookRequest = {
      url: base + req.originalUrl,
      headers: { 'x-twilio-signature': signature },
      rawBody: req.rawBody,
    };
    try {
      if (kind === 'message') return await this.inbound.receive(request);
      await this.statuses.record(request);
      countWebhook('twilio', 'accepted');
      return emptyTwiml();
    } catch (error) {
      if (error instanceof TwilioSignatureError) {
        countWebhook('twilio', 'rejected_signature');
        this.logger.warn({ path: req.path, reason: error.message }, 'rejected a Twilio webhook');
        throw new ForbiddenException('Twilio signature does not match');
      }
      // A dependency down (the database, the event log, Twilio's media) is answered 503 with
      // Retry-After by the platform's filter, once logged per outage: Twilio retries.
      const unavailable = error instanceof DependencyUnavailableError || isTransientDatabaseError(error);
      countWebhook('twilio', unavailable ? 'unavailable' : 'failed');
      throw error;
    }
  }
}
