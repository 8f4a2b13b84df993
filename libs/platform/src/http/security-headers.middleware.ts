import type { IncomingMessage, ServerResponse } from 'node:http';

/** A year: what browsers' preload lists ask for. Only sent when PUBLIC_BASE_URL is https. */
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/**
 * The response headers every app sends by default, set before any handler runs so a handler
 * that knows better overrides one by setting it again:
 * - `Cache-Control: no-store`: API answers carry sessions' CSRF tokens, identity secrets and
 *   customers' messages; nothing is cached unless a handler says so (the widget's scripts,
 *   the inbox's hashed assets do).
 * - `X-Content-Type-Options: nosniff`: a body is only ever what its Content-Type says.
 * - `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` and
 *   `X-Frame-Options: DENY`: a JSON answer runs nothing and nobody frames our pages; a page
 *   (the inbox, /demo) sets its own policy, which keeps `frame-ancestors 'none'`. The widget is
 *   a script customers' pages load, never a frame, so it works wherever it is embedded.
 * - `Referrer-Policy: no-referrer`: our URLs (invite links, ids) stay ours.
 * - `Strict-Transport-Security` when the deployment is reached over https.
 */
export function securityHeaders(options: { hsts: boolean }) {
  return (_request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (options.hsts) response.setHeader('Strict-Transport-Security', `max-age=${HSTS_MAX_AGE_SECONDS}`);
    next();
  };
}
