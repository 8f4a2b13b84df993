import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What a site's server computes for a logged-in user: hex HMAC-SHA256 of the user id, keyed by the
 * workspace's identity secret. Only the site's server and Switchboard know the secret.
 */
export function userHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/** Constant-time: a timing difference must not reveal how much of a guessed hash was right. */
export function isValidUserHash(secret: string, userId: string, hash: string): boolean {
  const expected = Buffer.from(userHash(secret, userId), 'hex');
  const given = /^[0-9a-fA-F]{64}$/.test(hash) ? Buffer.from(hash, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** 256 random bits: unguessable. The browser keeps the token; we keep only its hash. */
export function newVisitorToken(): string {
  return `vt_${randomBytes(32).toString('base64url')}`;
}

export function visitorTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function isVisitorTokenShaped(token: string): boolean {
  return /^vt_[A-Za-z0-9_-]{43}$/.test(token);
}

/** The visitor's public address on the channel (what history records as the web_visitor identity). */
export function newVisitorId(): string {
  return `v_${randomBytes(16).toString('base64url')}`;
}
