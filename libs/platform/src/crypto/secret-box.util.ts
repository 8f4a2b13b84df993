import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
// 96-bit nonces are GCM's native size; random ones are safe far beyond our volume of secrets.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/**
 * Encrypts small secrets at rest (provider tokens) with AES-256-GCM. The sealed form is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url, so it fits a text column. `context` is bound as
 * additional data: a ciphertext copied onto another row (another account id) fails to open
 * instead of quietly lending that row someone else's credentials.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`SecretBox needs a ${KEY_BYTES}-byte key`);
    this.key = Buffer.from(key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was not sealed with this key and context, or was altered. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    if (
      version !== VERSION ||
      iv === undefined ||
      tag === undefined ||
      ciphertext === undefined ||
      rest.length > 0
    )
      throw new Error('not a sealed secret');
    const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // GCM's own message ("Unsupported state or unable to authenticate data") names neither cause.
      throw new Error(
        'a sealed secret does not open: it was sealed with another SWITCHBOARD_ENCRYPTION_KEY, or for another row',
      );
    }
  }
}

/** Parses a base64 (or base64url) encoded 32-byte key; null when it isn't one. */
export function parseEncryptionKey(encoded: string): Buffer | null {
  const key = Buffer.from(
    encoded.trim(),
    encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64',
  );
  return key.length === KEY_BYTES ? key : null;
}

export function generateEncryptionKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
