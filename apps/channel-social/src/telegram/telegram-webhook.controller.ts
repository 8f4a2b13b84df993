import {
  BadRequestException,
  Controller,
  Header,
  HttpCode,
  Post,
  type RawBodyRequest,
  Req,
} from '@nestjs/common';
import { createLogger } from '@switchboard/platform';
import type { Request } from 'express';
import { SocialInboundService } from '../inbound/social-inbound.service.js';
import { answerWebhook } from '../inbound/webhook-answer.util.js';
import { TelegramAdapter } from './telegram.adapter.js';

/**
 * Telegram's updates for one bot (`<channel>` is the account's id, in the URL given to setWebhook).
 * 403 without the bot's secret token, 400 for a body that is not an update, 503 when it could not
 * be made durable (Telegram retries), 200 otherwise — also for a channel nobody has.
 */
@Controller('webhooks/telegram')
export class TelegramWebhookController {
  private readonly logger = createLogger('channel-social.telegram');

  constructor(
    private readonly telegram: TelegramAdapter,
    private readonly inbound: SocialInboundService,
  ) {}

  @Post(':channel')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async receive(@Req() req: RawBodyRequest<Request>): Promise<string> {
    if (req.rawBody === undefined) throw new BadRequestException('expected a JSON body');
    const request = {
      url: req.path,
      headers: { 'x-telegram-bot-api-secret-token': req.header('x-telegram-bot-api-secret-token') },
      rawBody: req.rawBody,
    };
    await answerWebhook(this.logger, 'telegram', '/webhooks/telegram', () =>
      this.inbound.receive(this.telegram, request, (webhook) => webhook.unknownRecipients),
    );
    return '';
  }
}
