import { randomBytes } from 'node:crypto';
import { signedTwilioWebhook, twilioInboundSmsParams } from '@switchboard/testing';
import { describeWebhookOutage } from '@switchboard/testing/contracts';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://sms.example.test';

/**
 * Kafka goes away under the SMS webhook (a broker of the test's own, stopped and restarted on the
 * same port and data): Twilio's request is answered 503 and not acknowledged; Twilio's retry of
 * the same MessageSid, once Kafka is back, is acknowledged (TwiML) and the message is on the log.
 */
describe('channel-sms while the event log is down', () => {
  describeWebhookOutage({
    label: 'sms',
    app: 'channel-sms',
    env: {
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
    },
    message: (text) => {
      const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, '+14155550123', { Body: text });
      return {
        providerMessageId: params.MessageSid,
        send: (baseUrl) => {
          const url = `${PUBLIC_BASE_URL}/webhooks/twilio/sms`;
          const { headers, body } = signedTwilioWebhook(AUTH_TOKEN, url, params);
          return fetch(`${baseUrl}/webhooks/twilio/sms`, { method: 'POST', headers, body });
        },
      };
    },
    acknowledgement: /<Response\/>/,
  });
});
