import { createHmac } from 'node:crypto';
import {
  isValidUserHash,
  isVisitorTokenShaped,
  newVisitorToken,
  signedUserString,
  userHash,
  visitorTokenHash,
} from './identity-verification.util.js';

describe('identity verification', () => {
  const secret = 'workspace-secret';

  const ada = { id: 'user-42' };

  it('accepts the HMAC-SHA256 of the user id that a site computes', () => {
    const hash = createHmac('sha256', secret).update('user-42').digest('hex');
    expect(userHash(secret, ada)).toBe(hash);
    expect(isValidUserHash(secret, ada, hash)).toBe(true);
    expect(isValidUserHash(secret, ada, hash.toUpperCase())).toBe(true);
  });

  it('refuses another user’s hash, another secret’s, and malformed ones', () => {
    expect(isValidUserHash(secret, { id: 'user-43' }, userHash(secret, ada))).toBe(false);
    expect(isValidUserHash(secret, ada, userHash('other', ada))).toBe(false);
    expect(isValidUserHash(secret, ada, 'abc')).toBe(false);
    expect(isValidUserHash(secret, ada, '')).toBe(false);
  });

  it('signs the email and phone with the id, as the documented string', () => {
    const signed = { id: 'user-42', email: 'ada@example.com', phone: '+14155550199' };
    expect(signedUserString(signed)).toBe('user-42\nada@example.com\n+14155550199');
    expect(signedUserString({ id: 'user-42', phone: '+14155550199' })).toBe('user-42\n\n+14155550199');
    expect(signedUserString({ id: 'user-42', email: 'ada@example.com' })).toBe('user-42\nada@example.com\n');
    const hash = createHmac('sha256', secret).update('user-42\nada@example.com\n+14155550199').digest('hex');
    expect(isValidUserHash(secret, signed, hash)).toBe(true);
  });

  it('refuses an email or phone the site did not sign (a page edited to claim another’s)', () => {
    const idOnly = userHash(secret, ada);
    expect(isValidUserHash(secret, { ...ada, phone: '+14155550199' }, idOnly)).toBe(false);
    expect(isValidUserHash(secret, { ...ada, email: 'victim@example.com' }, idOnly)).toBe(false);
    const signed = userHash(secret, { ...ada, phone: '+14155550100' });
    expect(isValidUserHash(secret, { ...ada, phone: '+14155550199' }, signed)).toBe(false);
    expect(isValidUserHash(secret, ada, signed)).toBe(false);
    // The phone can't be passed off as the email: the positions are fixed.
    expect(isValidUserHash(secret, { ...ada, email: '+14155550100' }, signed)).toBe(false);
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
