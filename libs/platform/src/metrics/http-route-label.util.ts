/** What of an express request the route label is made of. */
export interface RoutedRequest {
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown } | undefined;
}

/** Requests no route took (404s, scans): one label, never their path. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The label an HTTP request is counted under: the route's template as declared
 * (`/webhooks/telegram/:channel`), never the path as requested, so ids, phone numbers and tokens in
 * a URL never reach a label and a scanner's thousand paths stay one series.
 */
export function httpRouteLabel(req: RoutedRequest): string {
  const path = req.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  return (req.baseUrl ?? '') + path;
}

/** The methods HTTP defines; anything else a client invents is counted as `other`. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function httpMethodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other';
}
