import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateEncryptionKey } from './encryption-key.util.js';
import { SecretBox, generateEncryptionKey, parseEncryptionKey } from './secret-box.util.js';

describe('SecretBox', () => {
  const box = new SecretBox(generateEncryptionKey());

  it('round-trips, and never shows the plaintext in the sealed form', () => {
    const sealed = box.seal('auth-token-123456', 'account-1');
    expect(sealed).not.toContain('auth-token');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed, 'account-1')).toBe('auth-token-123456');
    // A fresh IV each time: the same secret never seals to the same text.
    expect(box.seal('auth-token-123456', 'account-1')).not.toBe(sealed);
  });

  it('refuses another context, another key, and any altered byte', () => {
    const sealed = box.seal('secret', 'account-1');
    expect(() => box.open(sealed, 'account-2')).toThrow();
    expect(() => new SecretBox(generateEncryptionKey()).open(sealed, 'account-1')).toThrow();
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => box.open(parts.join('.'), 'account-1')).toThrow();
    expect(() => box.open('plain', 'account-1')).toThrow('not a sealed secret');
  });

  it('accepts only 32-byte keys', () => {
    expect(parseEncryptionKey(generateEncryptionKey().toString('base64'))).toHaveLength(32);
    expect(parseEncryptionKey(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow();
  });

  it('generates the embedded key once, private to its owner, and reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secret-box-'));
    try {
      const [a, b] = await Promise.all([loadOrCreateEncryptionKey(dir), loadOrCreateEncryptionKey(dir)]);
      expect(a.equals(b)).toBe(true);
      expect((await loadOrCreateEncryptionKey(dir)).equals(a)).toBe(true);
      expect((await stat(join(dir, 'encryption.key'))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
