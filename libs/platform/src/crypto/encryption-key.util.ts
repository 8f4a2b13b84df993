import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretBox, generateEncryptionKey, parseEncryptionKey } from './secret-box.util.js';

const KEY_FILE = 'encryption.key';

/**
 * The embedded mode's encryption key: generated on first start and kept in the data directory
 * (mode 0600) beside the database it protects, so secrets stay readable across restarts. Written
 * to a temporary file and then hard-linked into place, which fails if the key exists: two
 * processes racing on a fresh directory both end up with the one key that won, never half a file.
 */
export async function loadOrCreateEncryptionKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, KEY_FILE);
  await mkdir(dataDir, { recursive: true });
  const candidate = join(dataDir, `.${KEY_FILE}.${randomBytes(6).toString('hex')}`);
  await writeFile(candidate, `${generateEncryptionKey().toString('base64')}\n`, { mode: 0o600, flush: true });
  try {
    await link(candidate, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(candidate);
  }
  const key = parseEncryptionKey(await readFile(path, 'utf8'));
  if (key === null) throw new Error(`${path} does not hold a base64 32-byte key`);
  return key;
}

/**
 * The master key secrets are sealed with: SWITCHBOARD_ENCRYPTION_KEY, or in development the key
 * kept in the data directory. Production refuses to invent one: replicas would each generate
 * their own and fail to read each other's secrets. Each use derives or wraps its own from it.
 */
export async function encryptionKeyFromConfig(config: {
  readonly SWITCHBOARD_ENCRYPTION_KEY?: string | undefined;
  readonly NODE_ENV: string;
  readonly SWITCHBOARD_DATA_DIR: string;
}): Promise<Buffer> {
  if (config.SWITCHBOARD_ENCRYPTION_KEY !== undefined)
    return parseEncryptionKey(config.SWITCHBOARD_ENCRYPTION_KEY)!;
  if (config.NODE_ENV === 'production')
    throw new Error('SWITCHBOARD_ENCRYPTION_KEY is required in production (openssl rand -base64 32).');
  return loadOrCreateEncryptionKey(config.SWITCHBOARD_DATA_DIR);
}

/** The box that seals secrets at rest (provider credentials, identity secrets) with that key. */
export async function secretBoxFromConfig(
  config: Parameters<typeof encryptionKeyFromConfig>[0],
): Promise<SecretBox> {
  return new SecretBox(await encryptionKeyFromConfig(config));
}
