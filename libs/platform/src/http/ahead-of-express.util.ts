import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { httpMetrics } from '../metrics/http-metrics.middleware.js';
import { securityHeaders } from './security-headers.middleware.js';

/**
 * A route served ahead of express: the handler of a request it takes, undefined for one it leaves
 * to express (every other request, and any it would not read exactly as express does).
 */
export type AheadOfExpressRoute = (req: IncomingMessage) => ((res: ServerResponse) => void) | undefined;

export interface AheadOfExpressOptions {
  /** The route's template, as express labels a matched route in the request metrics. */
  readonly path: string;
  /** Strict-Transport-Security, as the platform sends it when PUBLIC_BASE_URL is https. */
  readonly hsts: boolean;
}

const noop = () => undefined;

/**
 * Puts `route` on `server` ahead of its express app (the one request listener Nest gave it), for a
 * hot route whose own work costs less than express's and Nest's layers (router, body parsers,
 * guards, pipes, filters): channel-sms's message webhook (ADR 0141), the inbox's status change
 * (ADR 0150). A request it takes is timed and labelled in the same metric as on express and gets
 * the platform's security headers before its handler runs; any other goes to express untouched.
 */
export function serveAheadOfExpress(
  server: Server,
  options: AheadOfExpressOptions,
  route: AheadOfExpressRoute,
): void {
  const [express, ...others] = server.listeners('request') as RequestListener[];
  if (express === undefined || others.length > 0) throw new Error('expected one request listener (express)');
  const timed = httpMetrics();
  const secured = securityHeaders({ hsts: options.hsts });
  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const handle = route(req);
    if (handle === undefined) return express(req, res);
    // Labelled as express labels a matched route (`req.route.path`).
    Object.assign(req, { route: { path: options.path } });
    timed(req, res, noop);
    secured(req, res, noop);
    handle(res);
  });
}
