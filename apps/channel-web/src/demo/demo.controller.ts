import { Controller, Get, Header, Query } from '@nestjs/common';
import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { userHash } from '../contacts/identity-verification.util.js';
import { WidgetSettingsService } from '../settings/widget-settings.service.js';
import { renderDemoPage } from './demo-page.util.js';

/**
 * `/demo`: a page of a pretend shop with the widget of the default workspace embedded, so a
 * newcomer can chat as a customer at once. `/demo?user=<id>` signs in as that user the way a site
 * with logins would (the hash computed here, server side, as a site's server does).
 */
@Controller('demo')
export class DemoController {
  constructor(private readonly settings: WidgetSettingsService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header(
    'Content-Security-Policy',
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self' ws: wss:",
  )
  async page(@Query('user') user: string | undefined): Promise<string> {
    const settings = await this.settings.get(DEFAULT_WORKSPACE_ID);
    const userId = user !== undefined && /^[\w.@-]{1,100}$/.test(user) ? user : null;
    return renderDemoPage({
      widgetKey: settings.widgetKey,
      user: userId === null ? null : { id: userId, hash: userHash(settings.identitySecret, userId) },
    });
  }
}
