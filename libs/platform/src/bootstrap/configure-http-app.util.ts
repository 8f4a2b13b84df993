import type { Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { HttpConfig } from '../config/common-variables.config.js';
import { PlatformConfigService } from '../config/platform-config.service.js';
import { securityHeaders } from '../http/security-headers.middleware.js';
import { httpMetrics } from '../metrics/http-metrics.middleware.js';
import { answerScrape } from '../metrics/metrics-endpoint.util.js';
import { collectProcessMetrics } from '../metrics/metrics-registry.js';

/**
 * How long an idle kept-alive connection stays open: longer than the clients that keep connections
 * to us (load balancers idle out at 60 s, providers' webhook senders likewise), so the client, not
 * the server, closes an idle one. Node's own 5 s closes connections under clients that reuse them
 * later than that, and a request sent as the server closes its socket fails with ECONNRESET (the
 * provider retries it). Node's own client reads the `Keep-Alive: timeout` hint; others need not
 * (ADR 0126).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * What every app's HTTP server gets before its routes, in one place (runHttpService calls it;
 * tests that build an app themselves call it too): no `X-Powered-By` (it tells an attacker which
 * server to aim at), and the security headers of `securityHeaders`, HSTS when PUBLIC_BASE_URL is
 * https; every request timed for Prometheus; `GET /metrics` itself, on this port unless
 * METRICS_PORT gives it one of its own (runHttpService starts that one; ADR 0100); and idle
 * connections kept for KEEP_ALIVE_TIMEOUT_MS.
 */
export function configureHttpApp(app: INestApplication): void {
  const express = app.getHttpAdapter().getInstance() as {
    disable(setting: string): void;
    get(path: string, handler: (req: unknown, res: ServerResponse) => void): void;
  };
  express.disable('x-powered-by');
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Above the keep-alive timeout, as Node asks: a request's headers are timed from its first byte.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  const http = app.get(PlatformConfigService).get(HttpConfig);
  collectProcessMetrics();
  app.use(httpMetrics());
  app.use(securityHeaders({ hsts: http.PUBLIC_BASE_URL?.startsWith('https:') ?? false }));
  // Registered on express before Nest adds its routes, so no app can shadow it.
  if (http.METRICS_PORT === undefined) express.get('/metrics', (_req, res) => void answerScrape(res));
}
