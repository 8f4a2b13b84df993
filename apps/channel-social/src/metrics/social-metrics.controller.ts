import { Controller, Get, Header } from '@nestjs/common';
import { UnknownRecipientCounter } from './unknown-recipient.counter.js';

/** The social channels' counters for a Prometheus scraper (counts only: nothing of any workspace). */
@Controller('metrics/social')
export class SocialMetricsController {
  constructor(private readonly unknownRecipients: UnknownRecipientCounter) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): string {
    return this.unknownRecipients.exposition();
  }
}
