import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_WORKSPACE_ID, OutboundMessageRequestedV1 } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import {
  type AppProcess,
  type TestDatabase,
  type TwilioApiServer,
  createTestDatabase,
  signedTwilioWebhook,
  startAppProcess,
  startTwilioApiServer,
  testRunId,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const CUSTOMER = '+14155550142';
const PUBLIC_BASE_URL = 'https://switchboard.example.test';
const ADMIN = { email: 'owner@example.test', password: 'owner password 1234' };
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
  const topicPrefix = `${testRunId()}.sms-reply-${randomUUID().slice(0, 8)}.`;
  let database: TestDatabase;
  let db: pg.Pool;
  let twilioApi: TwilioApiServer;
  let bus: KafkaEventBus;
  let app: AppProcess;

  const post = async (path: string, url: string, params: Record<string, string>) => {
    const { headers, body } = signedTwilioWebhook(AUTH_TOKEN, url, params);
    return (await fetch(`${app.url}${path}`, { method: 'POST', headers, body })).status;
  };
  const reply = (customerId: string, text: string) =>
    bus.emit(
      OutboundMessageRequestedV1.create({
        workspaceId: DEFAULT_WORKSPACE_ID,
        payload: {
          idempotencyKey: randomUUID(),
          customerId,
          internalNote: false,
          text,
          attachments: [],
          sender: { type: 'agent', id: 'agent-a', name: 'Ada' },
        },
      }),
    );
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
    const callbackUrl = creation.form.get('StatusCallback')!;
    return post(callbackUrl.slice(PUBLIC_BASE_URL.length), callbackUrl, {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      MessageStatus: status,
      AccountSid: ACCOUNT_SID,
      To: CUSTOMER,
      From: OUR_NUMBER,
      ...extra,
    });
  };

  beforeAll(async () => {
    const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
    database = await createTestDatabase('standalone_sms_reply');
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    twilioApi = await startTwilioApiServer({ [ACCOUNT_SID]: AUTH_TOKEN });
    bus = new KafkaEventBus({
      brokers,
      clientId: 'sms-reply-e2e',
      topicPrefix,
      partitions: 2,
      replicationFactor: 1,
    });
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '2',
      PUBLIC_BASE_URL,
      TWILIO_API_BASE_URL: twilioApi.url,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    await app.waitUntilReady(120_000);
  }, 180_000);

  afterAll(async () => {
    await app?.stop('SIGTERM');
    await bus?.close();
    await twilioApi?.close();
    await db?.end();
    await database?.drop();
  });

  it('shows a reply queued, then delivered, never back to sent; an undelivered one keeps its error code', async () => {
    const inbound = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, { Body: 'Where is my order?' });
    expect(await post('/webhooks/twilio/sms', `${PUBLIC_BASE_URL}/webhooks/twilio/sms`, inbound)).toBe(200);
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

    await reply(customerId, 'It ships today.');
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

    await reply(customerId, 'Or call us.');
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
    const inbound = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, { Body: 'Send me the map?' });
    expect(await post('/webhooks/twilio/sms', `${PUBLIC_BASE_URL}/webhooks/twilio/sms`, inbound)).toBe(200);
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
    const session = await fetch(`${app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify(ADMIN),
    });
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    const agent = {
      origin: app.url,
      cookie: session.headers.getSetCookie()[0]!.split(';')[0]!,
      'x-csrf-token': csrfToken,
    };
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
    expect(mediaUrl!.startsWith(`${PUBLIC_BASE_URL}/sms/media/`)).toBe(true);
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
