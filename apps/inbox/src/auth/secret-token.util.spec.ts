import { createHash } from 'node:crypto';
import { hashSecretToken, newSecretToken, secretTokenKey } from './secret-token.util.js';

describe('secret tokens', () => {
  it('stores and keys a token by its SHA-256, the cache key being the stored digest in base64', () => {
    for (const token of [newSecretToken(), 'é non-ASCII token ✓', '']) {
      const expected = createHash('sha256').update(token, 'utf8').digest();
      expect(hashSecretToken(token)).toEqual(expected);
      expect(secretTokenKey(token)).toBe(expected.toString('base64'));
      // The session's database read decodes the key back to the digest the table holds.
      expect(Buffer.from(secretTokenKey(token), 'base64')).toEqual(expected);
    }
    expect(secretTokenKey(newSecretToken())).not.toBe(secretTokenKey(newSecretToken()));
  });
});
