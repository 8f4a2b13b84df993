import {
  STATUS_RANK,
  describeTwilioError,
  fromTwilioStatus,
  statusCallbackUrl,
} from './sms-delivery-status.util.js';

describe('Twilio delivery statuses', () => {
  it("maps Twilio's MessageStatus to ours, ignoring inbound ones", () => {
    expect(['accepted', 'scheduled', 'queued', 'sending'].map(fromTwilioStatus)).toEqual([
      'queued',
      'queued',
      'queued',
      'queued',
    ]);
    expect(['sent', 'delivered', 'read', 'undelivered', 'failed', 'canceled'].map(fromTwilioStatus)).toEqual([
      'sent',
      'delivered',
      'read',
      'undelivered',
      'failed',
      'failed',
    ]);
    expect(fromTwilioStatus('received')).toBeNull();
    expect(fromTwilioStatus('')).toBeNull();
  });

  it('only moves forward: a late sent never undoes delivered, and failures are final', () => {
    expect(STATUS_RANK.queued).toBeLessThan(STATUS_RANK.sent);
    expect(STATUS_RANK.sent).toBeLessThan(STATUS_RANK.delivered);
    expect(STATUS_RANK.delivered).toBeLessThan(STATUS_RANK.failed);
    expect(STATUS_RANK.undelivered).toBe(STATUS_RANK.failed);
  });

  it('explains the codes agents meet, and falls back to what Twilio said', () => {
    expect(describeTwilioError('21610')).toMatch(/opted out/);
    expect(describeTwilioError('99999', 'Something odd')).toBe('Something odd');
    expect(describeTwilioError('99999')).toBe('Twilio error 99999.');
  });

  it('builds a callback URL naming workspace, account and message', () => {
    const url = new URL(statusCallbackUrl('https://sb.example', 'w', 'a', 'm'));
    expect(url.pathname).toBe('/webhooks/twilio/status');
    expect(Object.fromEntries(url.searchParams)).toEqual({ workspace: 'w', account: 'a', message: 'm' });
  });
});
