import { randomBytes } from 'node:crypto';
import { InboundMessageReceivedV1, inboundEventId } from '@switchboard/contracts';
import {
  type ChannelApp,
  metaJson,
  signMetaBody,
  startChannelApp,
  waitFor,
  whatsAppInbound,
} from '@switchboard/testing';

const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = String(100_000_000_000_000 + Math.floor(Math.random() * 1e9));

/**
 * ADR 0036: a WhatsApp text is acknowledged once its event is on Kafka, with no receipt looked up
 * before nor written after; Meta's retries (one racing the first delivery, more after its 200)
 * publish the same event again under the same id, and history, in its own process on the same
 * log, stores the message once.
 */
describe('channel-social: Meta retries of a text, deduplicated downstream', () => {
  let channel: ChannelApp<typeof InboundMessageReceivedV1>;

  beforeAll(async () => {
    channel = await startChannelApp('channel-social', {
      name: 'social-retry',
      inboundTypes: [InboundMessageReceivedV1],
      env: {
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN: `EAAG${randomBytes(20).toString('hex')}`,
      },
      beside: ['history'],
    });
  }, 240_000);

  afterAll(async () => {
    await channel?.close();
  });

  it('answers every delivery 200 and stores the message once, every copy on the log one event', async () => {
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    const raw = metaJson(
      whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from: '14155550177',
        messages: [{ id: wamid, type: 'text', text: { body: 'Is my parcel on its way?' } }],
      }),
    );
    const deliver = () =>
      fetch(`${channel.app.url}/webhooks/meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(raw, APP_SECRET) },
        body: raw,
      }).then((r) => r.status);

    // Meta gave up waiting on the first and sent it again at once; then retried twice more.
    expect(await Promise.all([deliver(), deliver()])).toEqual([200, 200]);
    expect(await deliver()).toBe(200);
    expect(await deliver()).toBe(200);

    const copies = await waitFor(
      () => {
        const found = channel.output.inbound.filter((c) => c.event.payload.providerMessageId === wamid);
        return found.length === 4 ? found : null;
      },
      { what: 'the four deliveries on the log' },
    );
    const { rows: accounts } = await channel.db.query<{ id: string }>(
      "SELECT id FROM channels.social_accounts WHERE channel = 'whatsapp'",
    );
    const expectedId = inboundEventId(accounts[0]!.id, wamid);
    expect(new Set(copies.map((c) => c.event.id))).toEqual(new Set([expectedId]));

    await waitFor(async () => (await channel.storedMessages(wamid)).length > 0 || null, {
      what: 'history to store the message',
    });
    // History has consumed every copy: its group committed to the end of the topic.
    await waitFor(async () => (await channel.historyCaughtUp()) || null, {
      what: 'history past every copy',
      intervalMs: 500,
    });
    expect(await channel.storedMessages(wamid)).toEqual([{ eventId: expectedId }]);
  });
});
