import { randomBytes } from 'node:crypto';
import { InboundMessageReceivedV1, inboundEventId } from '@switchboard/contracts';
import {
  type ChannelApp,
  type TwilioApiServer,
  signedTwilioWebhook,
  startChannelApp,
  startTwilioApiServer,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const CUSTOMER = '+14155550123';
const PUBLIC_BASE_URL = 'https://sms.example.test';

/**
 * ADR 0037: an SMS text is acknowledged once its event is on Kafka, with no receipt looked up
 * before nor written after; Twilio's retries of the same signed webhook (one racing the first
 * delivery, more after its 200) publish the same event again under the same id, and history, in
 * its own process on the same log, stores the message once. An MMS keeps its receipt: a retry
 * after the 200 fetches its media no second time.
 */
describe('channel-sms: Twilio retries, deduplicated downstream', () => {
  let api: TwilioApiServer;
  let channel: ChannelApp<typeof InboundMessageReceivedV1>;
  let accountId: string;

  const deliver = (params: Record<string, string>) => {
    const { headers, body } = signedTwilioWebhook(
      AUTH_TOKEN,
      `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
      params,
    );
    return fetch(`${channel.app.url}/webhooks/twilio/sms`, { method: 'POST', headers, body }).then(
      async (r) => ({ status: r.status, body: await r.text() }),
    );
  };
  const copiesOf = (sid: string) =>
    channel.output.inbound.filter((c) => c.event.payload.providerMessageId === sid);
  const stored = async (sid: string) => (await channel.storedMessages(sid)).length;
  const historyPastEveryCopy = () =>
    waitFor(async () => (await channel.historyCaughtUp()) || null, {
      what: 'history past every copy',
      intervalMs: 500,
    });

  beforeAll(async () => {
    api = await startTwilioApiServer({ [ACCOUNT_SID]: AUTH_TOKEN });
    channel = await startChannelApp('channel-sms', {
      name: 'sms-retry',
      inboundTypes: [InboundMessageReceivedV1],
      env: {
        PUBLIC_BASE_URL,
        TWILIO_API_BASE_URL: api.url,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_PHONE_NUMBER: OUR_NUMBER,
      },
      beside: ['history'],
    });
    const { rows } = await channel.db.query<{ id: string }>(
      'SELECT id FROM channels.sms_accounts WHERE phone_number = $1',
      [OUR_NUMBER],
    );
    accountId = rows[0]!.id;
  }, 240_000);

  afterAll(async () => {
    await channel?.close();
    await api?.close();
  });

  it('answers every delivery of a text 200 and stores it once, every copy on the log one event', async () => {
    const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, {
      Body: 'Is my parcel on its way?',
    });
    const sid = params.MessageSid;
    // A fresh topic's leader may still be moving: the very first webhook can get a 503. Twilio
    // retries that too; the answers that count are the ones below.
    await waitFor(async () => (await deliver(params)).status === 200, {
      what: 'the first delivery acknowledged',
      intervalMs: 500,
      timeoutMs: 60_000,
    });
    // Twilio gave up waiting and sent it again twice at once; then once more.
    const raced = await Promise.all([deliver(params), deliver(params)]);
    expect(raced.map((r) => r.status)).toEqual([200, 200]);
    expect(raced.map((r) => r.body)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?><Response/>',
      '<?xml version="1.0" encoding="UTF-8"?><Response/>',
    ]);
    expect((await deliver(params)).status).toBe(200);

    // At least the four acknowledged deliveries are on the log (a 503 before them may have been too).
    const copies = await waitFor(() => (copiesOf(sid).length >= 4 ? copiesOf(sid) : null), {
      what: 'every delivery on the log',
    });
    const expectedId = inboundEventId(accountId, sid);
    expect(new Set(copies.map((c) => c.event.id))).toEqual(new Set([expectedId]));
    // No receipt for a text: the only database work was history's.
    const receipts = await channel.db.query(
      'SELECT 1 FROM channels.sms_inbound_receipts WHERE message_sid = $1',
      [sid],
    );
    expect(receipts.rowCount).toBe(0);

    await waitFor(async () => (await stored(sid)) > 0 || null, { what: 'history to store the message' });
    await historyPastEveryCopy();
    expect(await channel.storedMessages(sid)).toEqual([{ eventId: expectedId }]);
  });

  it("keeps an MMS's receipt: a retry after the 200 fetches its media no second time, one message in history", async () => {
    const sid = `MM${randomBytes(16).toString('hex')}`;
    const mediaUrl = api.addMedia(ACCOUNT_SID, sid, { contentType: 'image/jpeg', body: randomBytes(1_024) });
    const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, {
      MessageSid: sid,
      SmsMessageSid: sid,
      SmsSid: sid,
      Body: '',
      NumMedia: '1',
      MediaUrl0: mediaUrl,
      MediaContentType0: 'image/jpeg',
    });
    const fetches = () => api.requests.filter((r) => r.path === new URL(mediaUrl).pathname).length;
    await waitFor(async () => (await deliver(params)).status === 200, {
      what: 'the MMS acknowledged',
      intervalMs: 500,
      timeoutMs: 60_000,
    });
    const fetchedFirst = fetches();
    expect(fetchedFirst).toBeGreaterThan(0);
    expect((await deliver(params)).status).toBe(200);
    expect((await deliver(params)).status).toBe(200);
    expect(fetches()).toBe(fetchedFirst);

    await waitFor(async () => (await stored(sid)) > 0 || null, { what: 'history to store the MMS' });
    await historyPastEveryCopy();
    expect(new Set(copiesOf(sid).map((c) => c.event.id))).toEqual(new Set([inboundEventId(accountId, sid)]));
    expect(await stored(sid)).toBe(1);
    const receipts = await channel.db.query(
      'SELECT 1 FROM channels.sms_inbound_receipts WHERE message_sid = $1',
      [sid],
    );
    expect(receipts.rowCount).toBe(1);
  });
});
