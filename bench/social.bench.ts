/**
 * `npm run bench:social`: Meta's WhatsApp webhook, signed as Meta signs it (HMAC-SHA256 of the
 * escaped-unicode bytes), at a steady 500 requests/s against the built channel-social app on a real
 * Kafka broker and PostgreSQL, open loop, beside `GET /healthz` at the same rate
 * (`webhook-bench.util.ts`, as bench:sms). Target (issue #15): p99 ≤ 25 ms on a quiet machine.
 */
import { randomBytes } from 'node:crypto';
import { metaJson, signMetaBody, whatsAppInbound } from '@switchboard/testing';
import { runWebhookBench, SENDERS } from './webhook-bench.util.js';

const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = '106540352242922';

await runWebhookBench({
  name: 'social',
  app: 'channel-social',
  env: {
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_ACCESS_TOKEN: `EAAG${randomBytes(20).toString('hex')}`,
  },
  senders: `${SENDERS} WhatsApp senders`,
  webhook: (sequence) => {
    const from = `1415${String(2_000_000 + (sequence % SENDERS)).padStart(7, '0')}`;
    const body = metaJson(
      whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from,
        name: 'Zoë Bench',
        messages: [
          {
            id: `wamid.${randomBytes(24).toString('base64url')}`,
            type: 'text',
            text: { body: `Où est la commande ${sequence} ?` },
          },
        ],
      }),
    );
    const headers = {
      'content-type': 'application/json',
      'x-hub-signature-256': signMetaBody(body, APP_SECRET),
    };
    return { method: 'POST', path: '/webhooks/meta', headers, body };
  },
  route: 'POST /webhooks/meta (verify, dedupe, publish to Kafka, ack)',
  target: 'target ≤ 25 ms',
});
