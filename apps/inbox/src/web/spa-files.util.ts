import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` puts the SPA (`dist/inbox-web`): found from the compiled file
 * (dist/apps/inbox/src/web → dist) or, when running from sources (tests), from the repository root.
 */
export function spaDirectory(): string | null {
  const up = new URL('../../../../', import.meta.url);
  for (const candidate of [new URL('inbox-web/', up), new URL('dist/inbox-web/', up)]) {
    const path = fileURLToPath(candidate);
    if (existsSync(`${path}index.html`)) return path;
  }
  return null;
}

/**
 * The inbox page may load only its own scripts and talk only to its own origin: even if some
 * message text ever reached the DOM as HTML, no injected script would run or send data elsewhere.
 */
export const SPA_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');
