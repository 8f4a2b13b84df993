import type { ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { HttpConfig } from '../config/common-variables.config.js';
import { PlatformConfigService } from '../config/platform-config.service.js';
import { securityHeaders } from '../http/security-headers.middleware.js';
import { httpMetrics } from '../metrics/http-metrics.middleware.js';
import { answerScrape } from '../metrics/metrics-endpoint.util.js';
import { collectProcessMetrics } from '../metrics/metrics-registry.js';

/**
 * What every app's HTTP server gets before its routes, in one place (runHttpService calls it;
 * tests that build an app themselves call it too): no `X-Powered-By` (it tells an attacker which
 * server to aim at), and the security headers of `securityHeaders`, HSTS when PUBLIC_BASE_URL is
 * https; every request timed for Prometheus; and `GET /metrics` itself, on this port unless
 * METRICS_PORT gives it one of its own (runHttpService starts that one; ADR 0100).
 */
export function configureHttpApp(app: INestApplication): void {
  const express = app.getHttpAdapter().getInstance() as {
    disable(setting: string): void;
    get(path: string, handler: (req: unknown, res: ServerResponse) => void): void;
  };
  express.disable('x-powered-by');
  const http = app.get(PlatformConfigService).get(HttpConfig);
  collectProcessMetrics();
  app.use(httpMetrics());
  app.use(securityHeaders({ hsts: http.PUBLIC_BASE_URL?.startsWith('https:') ?? false }));
  // Registered on express before Nest adds its routes, so no app can shadow it.
  if (http.METRICS_PORT === undefined) express.get('/metrics', (_req, res) => void answerScrape(res));
}
