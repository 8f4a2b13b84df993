import { isTwilioMediaRedirect, isTwilioMediaUrl } from './twilio-media-url.util.js';

const AC = `AC${'a'.repeat(32)}`;
const MM = `MM${'b'.repeat(32)}`;
const ME = `ME${'c'.repeat(32)}`;
const API = 'https://api.twilio.com';
const good = `${API}/2010-04-01/Accounts/${AC}/Messages/${MM}/Media/${ME}`;

describe('isTwilioMediaUrl', () => {
  it("accepts this message's media on Twilio's API", () => {
    expect(isTwilioMediaUrl(good, API, AC, MM)).toBe(true);
    expect(
      isTwilioMediaUrl(good.replace(API, 'http://127.0.0.1:4000'), 'http://127.0.0.1:4000', AC, MM),
    ).toBe(true);
  });

  it('refuses everything else a forged or replayed webhook could name', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://localhost:5432/',
      'file:///etc/passwd',
      good.replace('https://api.twilio.com', 'https://api.twilio.com.evil.example'),
      good.replace('https://api.twilio.com', 'http://api.twilio.com'),
      good.replace('https://', 'https://user:pw@'),
      good.replace(AC, `AC${'d'.repeat(32)}`), // another account's media, with our credentials
      good.replace(MM, `MM${'e'.repeat(32)}`), // another message
      `${good}?redirect=http://evil.example`,
      `${API}/2010-04-01/Accounts/${AC}/Messages/${MM}/Media/${ME}/../../../../Calls.json`,
      'not a url',
    ])
      expect(isTwilioMediaUrl(url, API, AC, MM)).toBe(false);
  });
});

describe('isTwilioMediaRedirect', () => {
  it("follows only to Twilio's CDN over https", () => {
    expect(isTwilioMediaRedirect(new URL('https://media.twiliocdn.com/AC/abc'))).toBe(true);
    expect(
      isTwilioMediaRedirect(new URL('https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC/x')),
    ).toBe(true);
    expect(isTwilioMediaRedirect(new URL('http://media.twiliocdn.com/AC/abc'))).toBe(false);
    expect(isTwilioMediaRedirect(new URL('https://s3-external-1.amazonaws.com/attacker-bucket/x'))).toBe(
      false,
    );
    expect(isTwilioMediaRedirect(new URL('https://twiliocdn.com.evil.example/x'))).toBe(false);
    expect(isTwilioMediaRedirect(new URL('https://169.254.169.254/'))).toBe(false);
  });
});
