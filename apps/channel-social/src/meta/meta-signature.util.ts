import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-f]{64})$/i;

/**
 * Whether `X-Hub-Signature-256` is `sha256=<hex HMAC-SHA256(app secret, raw body)>`, compared in
 * constant time. Over the bytes as they arrived: Meta signs its escaped-unicode serialisation
 * (`"\u00e9"`), so a body parsed and serialised again would not verify.
 */
export function hasValidMetaSignature(
  rawBody: Buffer,
  header: string | undefined,
  appSecret: string,
): boolean {
  const match = HEADER.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What Meta sends: `sha256=` and the hex HMAC of the body (for our tests and fixtures). */
export function metaSignature(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
