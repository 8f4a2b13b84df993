/**
 * `npm run bench:sms`: Twilio's inbound webhook, signed, at a steady 500 requests/s against the
 * built channel-sms app on a real Kafka broker and PostgreSQL, open loop, beside `GET /healthz` at
 * the same rate (`webhook-bench.util.ts`). Target (issue #6): report the p99.
 */
import { randomBytes } from 'node:crypto';
import { signedTwilioWebhook, twilioInboundSmsParams } from '@switchboard/testing';
import { runWebhookBench, SENDERS } from './webhook-bench.util.js';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://bench.example.test';

await runWebhookBench({
  name: 'sms',
  app: 'channel-sms',
  env: {
    PUBLIC_BASE_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_PHONE_NUMBER: OUR_NUMBER,
  },
  senders: `${SENDERS} senders`,
  webhook: (sequence) => {
    const from = `+1415${String(2_000_000 + (sequence % SENDERS)).padStart(7, '0')}`;
    const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, from, {
      Body: `Where is order ${sequence}?`,
    });
    const url = `${PUBLIC_BASE_URL}/webhooks/twilio/sms`;
    const { headers, body } = signedTwilioWebhook(AUTH_TOKEN, url, params);
    return { method: 'POST', path: '/webhooks/twilio/sms', headers, body };
  },
  route: 'POST /webhooks/twilio/sms (verify, publish to Kafka, ack)',
  target: 'Twilio waits 15 s',
});
