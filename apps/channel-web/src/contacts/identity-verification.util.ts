import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a site vouches for about its logged-in user: the id, and the email and phone it knows. */
export interface SignedUser {
  readonly id: string;
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
}

/**
 * The string a site signs (ADR 0042): the user id alone when it passes neither email nor phone
 * (so a plain HMAC of the id keeps working), else `id LF email LF phone`, an absent one empty.
 * The fields can't hold a line feed (the socket and HTTP schemas refuse one), so no two users
 * share a string: the email and phone are verified only because the site signed them.
 */
export function signedUserString(user: SignedUser): string {
  if (!user.email && !user.phone) return user.id;
  return `${user.id}\n${user.email ?? ''}\n${user.phone ?? ''}`;
}

/**
 * What a site's server computes for a logged-in user: hex HMAC-SHA256 of `signedUserString`,
 * keyed by the workspace's identity secret. Only the site's server and Switchboard know the secret.
 */
export function userHash(secret: string, user: SignedUser): string {
  return createHmac('sha256', secret).update(signedUserString(user), 'utf8').digest('hex');
}

/** Constant-time: a timing difference must not reveal how much of a guessed hash was right. */
export function isValidUserHash(secret: string, user: SignedUser, hash: string): boolean {
  const expected = Buffer.from(userHash(secret, user), 'hex');
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
