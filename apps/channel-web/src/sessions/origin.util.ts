/**
 * Whether a page on `origin` may open the widget: one of the workspace's allowed origins, or the
 * server's own (the demo page). A socket without an Origin header is not a browser page: refused.
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined || origin === 'null') return false;
  if (allowed.includes(origin)) return true;
  if (host === undefined || !URL.canParse(origin)) return false;
  return new URL(origin).host === host.toLowerCase();
}
