import { randomBytes, randomUUID } from 'node:crypto';
import {
  STANDALONE_PUBLIC_BASE_URL,
  type StandaloneWithSms,
  type TwilioApiServer,
  emitAgentReply,
  newTwilioAccount,
  signInToInboxApi,
  startStandaloneWithSms,
  startTwilioApiServer,
  testKafka,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';

const CUSTOMER = '+14155550142';
// A 1×1 transparent PNG.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4b30000000049454e44ae426082',
  'hex',
);

/**
 * The whole SMS round trip in one process on Kafka: a customer texts, an agent's reply (asked for
 * on `outbound-requests`, as the inbox and the gRPC API do through history) goes out through the
 * real twilio client, and Twilio's status callbacks become the reply's delivery status in history —
 * what the agent sees — in order, a late `sent` never undoing `delivered`.
 */
describe('standalone: an SMS reply and its delivery status', () => {
  const kafka = testKafka('sms-reply');
  const account = newTwilioAccount();
  let standalone: StandaloneWithSms;
  let db: pg.Pool;
  let twilioApi: TwilioApiServer;

  const customerTexts = (body: string) => {
    const params = twilioInboundSmsParams(account.accountSid, standalone.twilio.number, CUSTOMER, {
      Body: body,
    });
    return {
      params,
      posted: standalone.postTwilio(`${STANDALONE_PUBLIC_BASE_URL}/webhooks/twilio/sms`, params),
    };
  };
  const replyRow = (text: string) =>
    db
      .query<{
        id: string;
        channel: string;
        delivery_status: string | null;
        delivery_error_code: string | null;
      }>(
        `SELECT id, channel, delivery_status, delivery_error_code FROM history.messages
          WHERE direction = 'out' AND text = $1`,
        [text],
      )
      .then((r) => r.rows[0]);
  const statusCallback = async (text: string, status: string, extra: Record<string, string> = {}) => {
    const creation = await waitFor(() => twilioApi.creations().find((c) => c.form.get('Body') === text), {
      what: `"${text}" sent to Twilio`,
    });
    return standalone.postTwilio(creation.form.get('StatusCallback')!, {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      MessageStatus: status,
      AccountSid: account.accountSid,
      To: CUSTOMER,
      From: standalone.twilio.number,
      ...extra,
    });
  };

  beforeAll(async () => {
    twilioApi = await startTwilioApiServer({ [account.accountSid]: account.authToken });
    standalone = await startStandaloneWithSms('standalone_sms_reply', {
      twilioAccount: account,
      env: { ...kafka.env, TWILIO_API_BASE_URL: twilioApi.url },
    });
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    await standalone?.close();
    await kafka.bus.close();
    await twilioApi?.close();
  });

  it('shows a reply queued, then delivered, never back to sent; an undelivered one keeps its error code', async () => {
    const { params: inbound, posted } = customerTexts('Where is my order?');
    expect(await posted).toBe(200);
    const customerId = await waitFor(
      async () =>
        (
          await db.query<{ customer_id: string }>(
            'SELECT customer_id FROM history.messages WHERE provider_message_id = $1',
            [inbound.MessageSid],
          )
        ).rows[0]?.customer_id,
      { what: 'the text in history', timeoutMs: 60_000 },
    );

    await emitAgentReply(kafka.bus, customerId, 'It ships today.');
    const queued = await waitFor(
      async () => {
        const row = await replyRow('It ships today.');
        return row?.delivery_status === 'queued' ? row : undefined;
      },
      { what: 'the reply queued at Twilio', timeoutMs: 60_000 },
    );
    expect(queued.channel).toBe('sms');

    expect(await statusCallback('It ships today.', 'delivered')).toBe(200);
    await waitFor(async () => (await replyRow('It ships today.'))?.delivery_status === 'delivered', {
      what: 'the reply delivered in history',
      timeoutMs: 60_000,
    });
    expect(await statusCallback('It ships today.', 'sent')).toBe(200);

    await emitAgentReply(kafka.bus, customerId, 'Or call us.');
    expect(await statusCallback('Or call us.', 'undelivered', { ErrorCode: '30006' })).toBe(200);
    const undelivered = await waitFor(
      async () => {
        const row = await replyRow('Or call us.');
        return row?.delivery_status === 'undelivered' ? row : undefined;
      },
      { what: 'the second reply undelivered in history', timeoutMs: 60_000 },
    );
    expect(undelivered.delivery_error_code).toBe('30006');
    // The late `sent` went through channel-sms and history after `delivered`: still delivered.
    expect((await replyRow('It ships today.'))?.delivery_status).toBe('delivered');
  }, 240_000);

  it("sends an agent's image from the inbox as MMS: Twilio gets a URL of ours that serves the image; a WebP is refused with a reason", async () => {
    const { params: inbound, posted } = customerTexts('Send me the map?');
    expect(await posted).toBe(200);
    const conversationId = await waitFor(
      async () =>
        (
          await db.query<{ conversation_id: string }>(
            'SELECT conversation_id FROM history.messages WHERE provider_message_id = $1',
            [inbound.MessageSid],
          )
        ).rows[0]?.conversation_id,
      { what: 'the text in history', timeoutMs: 60_000 },
    );
    const app = standalone.app;
    const agent = (await signInToInboxApi(app.url, standalone.admin)).headers;
    const upload = async (type: string, body: Buffer, name: string) => {
      const response = await fetch(`${app.url}/api/inbox/attachments`, {
        method: 'POST',
        headers: { ...agent, 'content-type': type, 'x-file-name': encodeURIComponent(name) },
        body: new Uint8Array(body),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const send = async (text: string, attachmentId: string) => {
      const response = await fetch(`${app.url}/api/inbox/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: { ...agent, 'content-type': 'application/json' },
        body: JSON.stringify({ idempotencyKey: randomUUID(), text, attachmentIds: [attachmentId] }),
      });
      expect(response.status).toBe(201);
    };

    await send('Here is the map.', await upload('image/png', PNG, 'map.png'));
    const creation = await waitFor(
      () => twilioApi.creations().find((c) => c.form.get('Body') === 'Here is the map.'),
      { what: 'the MMS sent to Twilio', timeoutMs: 60_000 },
    );
    const [mediaUrl, ...others] = creation.form.getAll('MediaUrl');
    expect(others).toEqual([]);
    expect(mediaUrl!.startsWith(`${STANDALONE_PUBLIC_BASE_URL}/sms/media/`)).toBe(true);
    // What Twilio fetches, here from the app's own address.
    const media = await fetch(`${app.url}${new URL(mediaUrl!).pathname}`);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await media.arrayBuffer()).equals(PNG)).toBe(true);
    await waitFor(async () => (await replyRow('Here is the map.'))?.delivery_status === 'queued', {
      what: 'the MMS queued in history',
      timeoutMs: 60_000,
    });

    const webp = Buffer.concat([Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(14)]);
    await send('And a sticker.', await upload('image/webp', webp, 'sticker.webp'));
    const refused = await waitFor(
      async () => {
        const row = await replyRow('And a sticker.');
        return row?.delivery_status === 'failed' ? row : undefined;
      },
      { what: 'the WebP reply failed in history', timeoutMs: 60_000 },
    );
    expect(refused.delivery_error_code).toBe('attachment_type_not_supported');
    expect(twilioApi.creations().some((c) => c.form.get('Body') === 'And a sticker.')).toBe(false);
  }, 240_000);
});
