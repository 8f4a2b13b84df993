import { embedSnippet, formatIntervals, parseIntervals, signedUserSnippet } from './channel-settings.js';

describe('admin channel settings helpers', () => {
  it('builds the tag to paste, with the workspace key on this origin', () => {
    expect(embedSnippet('https://chat.example.com', 'wk_abc123DEF456')).toBe(
      '<script async src="https://chat.example.com/widget.js" data-workspace="wk_abc123DEF456"></script>',
    );
    const signed = signedUserSnippet('https://chat.example.com', 'wk_abc123DEF456');
    expect(signed).toContain('data-user-hash="HEX_HMAC_SHA256(IDENTITY_SECRET, USER_ID)"');
    expect(signed).toContain("crypto.createHmac('sha256', identitySecret)");
  });

  it('reads and writes business hours as the admin types them', () => {
    expect(parseIntervals(' 09:00-12:00 ,13:00 - 18:00, ')).toEqual([
      { from: '09:00', to: '12:00' },
      { from: '13:00', to: '18:00' },
    ]);
    expect(parseIntervals('')).toEqual([]);
    // Malformed input is passed on as typed: the web channel names the bad field.
    expect(parseIntervals('9am')).toEqual([{ from: '9am', to: '' }]);
    expect(formatIntervals(parseIntervals('09:00-12:00, 13:00-18:00'))).toBe('09:00-12:00, 13:00-18:00');
  });
});
