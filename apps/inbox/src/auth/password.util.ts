import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/**
 * argon2id (the library's default algorithm) at its default cost: 19 MiB, 2 passes, 1 lane —
 * OWASP's minimum recommendation, about 30 ms here. The PHC string carries its own parameters,
 * so raising the cost later keeps old hashes verifiable.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password: compared against when an email is unknown, so timing doesn't tell. */
export const unknownUserHash: Promise<string> = hash(randomBytes(24).toString('base64url'));

/** For the first admin when ADMIN_PASSWORD is unset: 20 characters, ~120 bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
