/**
 * Whether a browser's Origin may act on the inbox: one of the configured origins, or else the
 * origin this server was reached at (the SPA it serves). No Origin header means not a browser
 * page (curl, a test client); CSRF tokens still apply to those requests.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  protocol: string,
  allowed: readonly string[] | undefined,
): boolean {
  if (origin === undefined) return true;
  if (allowed !== undefined) return allowed.includes(origin);
  return host !== undefined && (origin === `${protocol}://${host}` || sameHostAnyScheme(origin, host));
}

// Behind a TLS-terminating proxy the server sees http while the page is https.
function sameHostAnyScheme(origin: string, host: string): boolean {
  return origin === `https://${host}` || origin === `http://${host}`;
}
