import {
  BadRequestException,
  Controller,
  ForbiddenException,
  Get,
  Header,
  HttpCode,
  Post,
  Query,
  type RawBodyRequest,
  Req,
} from '@nestjs/common';
import { createLogger } from '@switchboard/platform';
import type { Request } from 'express';
import { SocialInboundService } from '../inbound/social-inbound.service.js';
import { answerWebhook } from '../inbound/webhook-answer.util.js';
import { MetaAdapter, type MetaWebhook } from './meta.adapter.js';
import { MetaVerificationService } from './meta-verification.service.js';

const unknownRecipients = (webhook: MetaWebhook) => webhook.unknownRecipients;

/**
 * Meta's webhooks for WhatsApp, Messenger and Instagram: the subscription handshake (GET) and
 * events (POST, signed). Answers 403 to a missing or wrong signature, 400 to a body that is not
 * Meta's, 503 when the message could not be made durable (Meta retries), 200 otherwise — also for
 * a number or page nobody connected, since Meta disables a webhook that keeps failing.
 */
@Controller('webhooks/meta')
export class MetaWebhookController {
  private readonly logger = createLogger('channel-social.meta');

  constructor(
    private readonly verification: MetaVerificationService,
    private readonly meta: MetaAdapter,
    private readonly inbound: SocialInboundService,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async verify(@Query() query: Record<string, unknown>): Promise<string> {
    const challenge = await this.verification.answer(
      query['hub.mode'],
      query['hub.verify_token'],
      query['hub.challenge'],
    );
    if (challenge === null) throw new ForbiddenException('verify token does not match');
    return challenge;
  }

  @Post()
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async receive(@Req() req: RawBodyRequest<Request>): Promise<string> {
    if (req.rawBody === undefined) throw new BadRequestException('expected a JSON body');
    const request = {
      url: req.originalUrl,
      headers: { 'x-hub-signature-256': req.header('x-hub-signature-256') },
      rawBody: req.rawBody,
    };
    await answerWebhook(this.logger, 'meta', req.path, () =>
      this.inbound.receive(this.meta, request, unknownRecipients),
    );
    return 'EVENT_RECEIVED';
  }
}
