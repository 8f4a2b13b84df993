import { Controller, Get, Header, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AgentAvailabilityService } from '../sessions/agent-availability.service.js';
import type { PublicWidgetConfig } from '../settings/widget-settings.js';
import { WidgetAssetsService } from './widget-assets.service.js';
import { WidgetCorsService } from './widget-cors.service.js';

/** The loader any site embeds, the panel it loads when opened, and the public part of the settings. */
@Controller()
export class WidgetAssetsController {
  constructor(
    private readonly assets: WidgetAssetsService,
    private readonly cors: WidgetCorsService,
    private readonly availability: AgentAvailabilityService,
  ) {}

  /** Not versioned (it is in the site's HTML): cached briefly, so a release reaches pages within minutes. */
  @Get('widget.js')
  loader(@Req() req: Request, @Res() res: Response): void {
    this.send(req, res, 'widget.js', 'public, max-age=300');
  }

  /** Loaded by the loader with its build's hash in the query: cached for good. */
  @Get('widget/panel.js')
  panel(@Req() req: Request, @Res() res: Response): void {
    this.send(req, res, 'panel.js', 'public, max-age=31536000, immutable');
  }

  @Get('widget/config')
  @Header('Cache-Control', 'no-store')
  async config(
    @Query('key') key: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicWidgetConfig & { online: boolean }> {
    const site = await this.cors.allow(key, req, res);
    return {
      theme: site.appearance.theme,
      prechatFields: site.appearance.prechatFields,
      offlineMessage: site.appearance.offlineMessage,
      cardTokenizationUrl: site.appearance.cardTokenizationUrl ?? null,
      online: await this.availability.isOnline(site),
    };
  }

  private send(req: Request, res: Response, name: 'widget.js' | 'panel.js', cacheControl: string): void {
    const asset = this.assets.get(name);
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Any site may load the script; what it can then do is decided per origin on the socket.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.end(gzip ? asset.gzipped : asset.body);
  }
}
