import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: session cookies, CSRF tokens and invite links. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Only this digest is stored: a copy of the table signs nobody in. A plain SHA-256 suffices for
 * 256-bit random tokens (nothing to brute-force, unlike passwords).
 */
export function hashSecretToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/**
 * The same digest in base64, as the session cache keys it: one call of Node's one-shot `hash`, no
 * Hash object nor Buffer per request (every agent request hashes its cookie, ADR 0133).
 */
export function secretTokenKey(token: string): string {
  return hash('sha256', token, 'base64');
}

export function secretTokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
