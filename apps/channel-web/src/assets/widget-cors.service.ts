import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isOriginAllowed } from '../sessions/origin.util.js';
import { type WidgetSite, WidgetSettingsService } from '../settings/widget-settings.service.js';

/**
 * The widget's HTTP calls come from the customer's site: answered with CORS headers for the
 * workspace's allowed origins (and our own), refused for any other origin.
 */
@Injectable()
export class WidgetCorsService {
  constructor(private readonly settings: WidgetSettingsService) {}

  async allow(key: string | undefined, req: Request, res: Response): Promise<WidgetSite> {
    const site = key === undefined ? null : await this.settings.findSite(key);
    if (site === null) throw new NotFoundException('unknown widget key');
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    // Same-origin GETs carry no Origin header; everything cross-site does.
    if (origin !== undefined) {
      if (!isOriginAllowed(origin, req.headers.host, site.allowedOrigins))
        throw new ForbiddenException('origin not allowed');
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader(
        'Access-Control-Allow-Headers',
        'content-type, x-visitor-token, x-user-id, x-user-hash, x-user-email, x-user-phone, x-file-name',
      );
      res.setHeader('Access-Control-Max-Age', '600');
    }
    return site;
  }
}
