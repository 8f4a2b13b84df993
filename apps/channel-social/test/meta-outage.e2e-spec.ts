import { randomBytes } from 'node:crypto';
import { metaJson, signMetaBody, whatsAppInbound } from '@switchboard/testing';
import { describeWebhookOutage } from '@switchboard/testing/contracts';

const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = '106540352242922';

/**
 * Kafka goes away under Meta's webhook (a broker of the test's own, stopped and restarted on the
 * same port and data): Meta's POST is answered 503 within the webhook deadline, so Meta retries;
 * the retry, once Kafka is back, is acknowledged and the message is on the log once, however many
 * times Meta sends it again.
 */
describe('channel-social while the event log is down', () => {
  describeWebhookOutage({
    label: 'social',
    app: 'channel-social',
    env: {
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
      WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      WHATSAPP_ACCESS_TOKEN: `EAAG${randomBytes(20).toString('hex')}`,
    },
    message: (text) => {
      const id = `wamid.${randomBytes(24).toString('base64url')}`;
      const body = metaJson(
        whatsAppInbound({
          phoneNumberId: PHONE_NUMBER_ID,
          from: '14155550123',
          messages: [{ id, type: 'text', text: { body: text } }],
        }),
      );
      return {
        providerMessageId: id,
        send: (baseUrl) =>
          fetch(`${baseUrl}/webhooks/meta`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': signMetaBody(body, APP_SECRET),
            },
            body,
          }),
      };
    },
  });
});
