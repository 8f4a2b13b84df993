import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { userHash } from '../contacts/identity-verification.util.js';
import { WidgetSettingsService } from '../settings/widget-settings.service.js';
import { renderDemoPage } from './demo-page.util.js';
import { demoUserOf } from './demo-user.util.js';

/**
 * `/demo`: a page of a pretend shop with the widget of the default workspace embedded, so a
 * newcomer can chat as a customer at once. `/demo?user=<name>&email=<email>&phone=<phone>` signs
 * in as a demo user the way a site with logins would: the hash over id, email and phone computed
 * here, server side, as a site's server does (only reserved addresses: see `demoUserOf`).
 */
@Controller('demo')
export class DemoController {
  constructor(private readonly settings: WidgetSettingsService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async page(
    @Query('user') user: string | undefined,
    @Query('email') email: string | undefined,
    @Query('phone') phone: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const settings = await this.settings.get(DEFAULT_WORKSPACE_ID);
    // The card form posts to the payment provider's origin from this page (ADR 0082): a site
    // that embeds the widget under a CSP allows it in connect-src the same way.
    const tokenization = settings.appearance.cardTokenizationUrl;
    const connect = tokenization ? ` ${new URL(tokenization).origin}` : '';
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self' ws: wss:${connect}; frame-ancestors 'none'`,
    );
    const demoUser = demoUserOf({ user, email, phone });
    return renderDemoPage({
      widgetKey: settings.widgetKey,
      user: demoUser === null ? null : { ...demoUser, hash: userHash(settings.identitySecret, demoUser) },
    });
  }
}
