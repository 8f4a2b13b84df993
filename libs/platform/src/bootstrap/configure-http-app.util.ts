import type { INestApplication } from '@nestjs/common';
import { HttpConfig } from '../config/common-variables.config.js';
import { PlatformConfigService } from '../config/platform-config.service.js';
import { securityHeaders } from '../http/security-headers.middleware.js';

/**
 * What every app's HTTP server gets before its routes, in one place (runHttpService calls it;
 * tests that build an app themselves call it too): no `X-Powered-By` (it tells an attacker which
 * server to aim at), and the security headers of `securityHeaders`, HSTS when PUBLIC_BASE_URL is
 * https.
 */
export function configureHttpApp(app: INestApplication): void {
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  const base = app.get(PlatformConfigService).get(HttpConfig).PUBLIC_BASE_URL;
  app.use(securityHeaders({ hsts: base?.startsWith('https:') ?? false }));
}
