import { randomBytes } from 'node:crypto';
import { SecretBox } from '@switchboard/platform';
import { type MmsMediaGrant, MmsMediaTokens } from './mms-media-token.util.js';

describe('MmsMediaTokens', () => {
  const master = randomBytes(32);
  const tokens = new MmsMediaTokens(master);
  const now = 1_800_000_000;
  const grant: MmsMediaGrant = {
    workspaceId: '7f1c2a9e-0000-4000-8000-000000000001',
    storageKey: 'inbox/7f1c2a9e-0000-4000-8000-000000000001/0b9d5c1e-0000-4000-8000-000000000002',
    contentType: 'image/png',
    fileName: 'receipt.png',
    expiresAt: now + 60,
  };

  it('opens what it sealed until it expires, and shows neither the workspace nor the key', () => {
    const token = tokens.seal(grant);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(token).not.toContain(grant.workspaceId);
    expect(token).not.toContain('inbox');
    expect(tokens.open(token, now)).toEqual(grant);
    expect(tokens.open(token, now + 60)).toBeNull();
    // Each seal is fresh: two URLs for the same file are unrelated.
    expect(tokens.seal(grant)).not.toBe(token);
  });

  it('refuses an altered token, another key, and a credential sealed with the master key itself', () => {
    const token = tokens.seal(grant);
    const parts = token.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[5] = ct[5]! ^ 1;
    parts[3] = ct.toString('base64url');
    expect(tokens.open(parts.join('.'), now)).toBeNull();
    expect(new MmsMediaTokens(randomBytes(32)).open(token, now)).toBeNull();
    // The derived key is not the master key: a sealed auth token never opens as a grant.
    const credential = new SecretBox(master).seal(
      JSON.stringify([1, 'w', 'k', 't', null, now + 60]),
      'mms-media-url',
    );
    expect(tokens.open(credential, now)).toBeNull();
    expect(tokens.open('not-a-token', now)).toBeNull();
    expect(tokens.open('x'.repeat(5_000), now)).toBeNull();
  });
});
