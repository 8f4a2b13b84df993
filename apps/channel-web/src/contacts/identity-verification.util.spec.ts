import { createHmac } from 'node:crypto';
import {
  isValidUserHash,
  isVisitorTokenShaped,
  newVisitorToken,
  userHash,
  visitorTokenHash,
} from './identity-verification.util.js';

describe('identity verification', () => {
  const secret = 'workspace-secret';

  it('accepts the HMAC-SHA256 of the user id that a site computes', () => {
    const hash = createHmac('sha256', secret).update('user-42').digest('hex');
    expect(userHash(secret, 'user-42')).toBe(hash);
    expect(isValidUserHash(secret, 'user-42', hash)).toBe(true);
    expect(isValidUserHash(secret, 'user-42', hash.toUpperCase())).toBe(true);
  });

  it('refuses another user’s hash, another secret’s, and malformed ones', () => {
    expect(isValidUserHash(secret, 'user-43', userHash(secret, 'user-42'))).toBe(false);
    expect(isValidUserHash(secret, 'user-42', userHash('other', 'user-42'))).toBe(false);
    expect(isValidUserHash(secret, 'user-42', 'abc')).toBe(false);
    expect(isValidUserHash(secret, 'user-42', '')).toBe(false);
  });

  it('issues distinct tokens and stores only a hash of them', () => {
    const a = newVisitorToken();
    const b = newVisitorToken();
    expect(a).not.toBe(b);
    expect(isVisitorTokenShaped(a)).toBe(true);
    expect(isVisitorTokenShaped('vt_short')).toBe(false);
    expect(visitorTokenHash(a)).toHaveLength(32);
    expect(visitorTokenHash(a).equals(visitorTokenHash(b))).toBe(false);
  });
});
