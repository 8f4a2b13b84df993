import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

/** The form Twilio posts for an inbound SMS; override what the test is about. */
export function twilioInboundSmsParams(
  accountSid: string,
  to: string,
  from: string,
  overrides: Record<string, string> = {},
): { MessageSid: string; [name: string]: string } {
  const sid = `SM${randomBytes(16).toString('hex')}`;
  return {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: 'Hello, where is my order?',
    To: to,
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: accountSid,
    From: from,
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

/**
 * A webhook request as Twilio sends it: form-encoded, signed by the `twilio` library's own
 * `getExpectedTwilioSignature` over `signedUrl` (the public URL Twilio was told to call).
 */
export function signedTwilioWebhook(
  authToken: string,
  signedUrl: string,
  params: Record<string, string>,
): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, signedUrl, params),
      'user-agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(params).toString(),
  };
}
