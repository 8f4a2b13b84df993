import { Controller, Post, type RawBodyRequest, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type TwilioWebhookAnswer, TwilioWebhookEndpoint } from './twilio-webhook.endpoint.js';

/**
 * Twilio's webhooks on Nest's router, answered by `TwilioWebhookEndpoint`. In channel-sms's own
 * process the message webhook is taken by a node:http route ahead of this one (ADR 0141); the
 * status callbacks, and both in the standalone process, come here.
 */
@Controller('webhooks/twilio')
export class TwilioWebhookController {
  constructor(private readonly endpoint: TwilioWebhookEndpoint) {}

  @Post('sms')
  async receiveMessage(@Req() req: RawBodyRequest<Request>, @Res() res: Response): Promise<void> {
    send(res, await this.endpoint.answer('message', inputOf(req)));
  }

  @Post('status')
  async receiveStatus(@Req() req: RawBodyRequest<Request>, @Res() res: Response): Promise<void> {
    send(res, await this.endpoint.answer('status', inputOf(req)));
  }
}

function inputOf(req: RawBodyRequest<Request>) {
  return {
    signature: req.header('x-twilio-signature'),
    // A body express did not read as bytes (another type) is not a form Twilio sent.
    contentType: req.rawBody === undefined ? undefined : req.header('content-type'),
    rawBody: req.rawBody ?? Buffer.alloc(0),
    originalUrl: req.originalUrl,
    protocol: req.protocol,
    host: req.get('host'),
  };
}

function send(res: Response, answer: TwilioWebhookAnswer): void {
  if (answer.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(answer.retryAfterSeconds));
  res.status(answer.status).type(answer.contentType).send(answer.body);
}
