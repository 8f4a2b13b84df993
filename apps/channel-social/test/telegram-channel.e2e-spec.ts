import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_WORKSPACE_ID,
  DeliveryStatusChangedV1,
  InboundMessageReceivedV1,
  MessageDeliveryRequestedV1,
  Topics,
} from '@switchboard/contracts';
import { type ConsumedEvent, KafkaEventBus } from '@switchboard/messaging';
import { FilesystemAttachmentStore } from '@switchboard/platform';
import {
  type AppProcess,
  type BotApiServer,
  type TestDatabase,
  createTestDatabase,
  settle,
  startAppProcess,
  startBotApiServer,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';

const BOT_ID = 7_000_000_000 + Math.floor(Math.random() * 1e6);
const BOT_TOKEN = `${BOT_ID}:AA${randomBytes(16).toString('hex')}`;
const PUBLIC_BASE_URL = 'https://social.example.test';
const ENCRYPTION_KEY = randomBytes(32);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(200)]);

/**
 * A Telegram bot as Telegram meets it: the built app in its own process, on the real broker and
 * database; updates in the Bot API's shape with the secret token setWebhook was given; sends and
 * files against a loopback server answering as the Bot API does.
 */
describe('channel-social: Telegram', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const topicPrefix = `${testRunId()}.telegram-${randomUUID().slice(0, 8)}.`;
  let database: TestDatabase;
  let db: pg.Pool;
  let api: BotApiServer;
  let app: AppProcess;
  let bus: KafkaEventBus;
  let dataDir: string;
  let files: FilesystemAttachmentStore;
  let channelId: string;
  let secret: string;
  let updateId = 500_000;
  const inbound: ConsumedEvent<InboundMessageReceivedV1>[] = [];
  const statuses: DeliveryStatusChangedV1[] = [];

  const chat = () => 100_000 + Math.floor(Math.random() * 1e6);
  const message = (chatId: number, fields: Record<string, unknown>) => ({
    message_id: Math.floor(Math.random() * 1e6),
    from: { id: chatId, is_bot: false, first_name: 'Olga', last_name: 'Petrova', language_code: 'ru' },
    chat: { id: chatId, first_name: 'Olga', type: 'private' },
    date: Math.floor(Date.now() / 1000),
    ...fields,
  });
  const post = (body: unknown, token: string | null, path = channelId) =>
    fetch(`${app.url}/webhooks/telegram/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { 'x-telegram-bot-api-secret-token': token }),
      },
      body: JSON.stringify(body),
    });
  const inboundFor = (id: number) => inbound.filter((c) => c.event.payload.providerMessageId === String(id));
  const arrived = async (id: number) =>
    (await waitFor(() => (inboundFor(id).length > 0 ? inboundFor(id) : null)))[0]!.event.payload;
  const requestDelivery = async (overrides: Partial<MessageDeliveryRequestedV1['payload']>) => {
    const event = MessageDeliveryRequestedV1.create({
      workspaceId: DEFAULT_WORKSPACE_ID,
      payload: {
        messageId: randomUUID(),
        conversationId: randomUUID(),
        customerId: randomUUID(),
        channel: 'telegram',
        channelAccountId: null,
        recipient: { kind: 'telegram', address: '1' },
        text: 'Hello',
        attachments: [],
        sender: { type: 'agent', id: 'agent-1' },
        requestedAt: new Date().toISOString(),
        ...overrides,
      },
    });
    await bus.emit(event);
    return event.payload.messageId;
  };
  const firstStatus = (messageId: string) =>
    waitFor(() => statuses.find((s) => s.payload.messageId === messageId), { what: 'a delivery status' });

  beforeAll(async () => {
    database = await createTestDatabase('channel_telegram_e2e');
    dataDir = await mkdtemp(join(tmpdir(), 'telegram-e2e-'));
    files = new FilesystemAttachmentStore(join(dataDir, 'attachments'));
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    api = await startBotApiServer(BOT_TOKEN);
    bus = new KafkaEventBus({
      brokers,
      clientId: 'telegram-e2e',
      topicPrefix,
      partitions: 2,
      replicationFactor: 1,
    });
    const subscriptions = await Promise.all([
      bus.subscribe({
        groupId: 'observer.inbound',
        topics: [Topics.inbound],
        accepts: [InboundMessageReceivedV1],
        handleBatch: (batch) => Promise.resolve(void inbound.push(...batch)),
      }),
      bus.subscribe({
        groupId: 'observer.status',
        topics: [Topics.deliveryStatus],
        accepts: [DeliveryStatusChangedV1],
        handleBatch: (batch) => Promise.resolve(void statuses.push(...batch.map((c) => c.event))),
      }),
    ]);
    await Promise.all(subscriptions.map((s) => s.assigned));
    app = await startAppProcess('channel-social', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '2',
      PUBLIC_BASE_URL,
      TELEGRAM_API_BASE_URL: api.url,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      SWITCHBOARD_ENCRYPTION_KEY: ENCRYPTION_KEY.toString('base64'),
      SWITCHBOARD_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    await app.waitUntilReady();
    const [setWebhook] = api.callsOf('setWebhook');
    const url = String(setWebhook!.params.get('url'));
    channelId = url.split('/').pop()!;
    secret = String(setWebhook!.params.get('secret_token'));
  });

  afterAll(async () => {
    await app?.stop('SIGTERM');
    await bus?.close();
    await api?.close();
    await db?.end();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('registers the bot’s webhook under PUBLIC_BASE_URL with a secret token, and keeps the token sealed', async () => {
    const [setWebhook] = api.callsOf('setWebhook');
    expect(setWebhook!.params.get('url')).toBe(`${PUBLIC_BASE_URL}/webhooks/telegram/${channelId}`);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    expect(setWebhook!.params.get('allowed_updates')).toEqual(['message', 'edited_message']);
    const rows = await db.query<{ external_id: string; secrets_sealed: string }>(
      "SELECT external_id, secrets_sealed FROM channels.social_accounts WHERE channel = 'telegram'",
    );
    expect(rows.rows[0]!.external_id).toBe(String(BOT_ID));
    expect(rows.rows[0]!.secrets_sealed).not.toContain(BOT_TOKEN.split(':')[1]);
    expect(rows.rows[0]!.secrets_sealed).not.toContain(secret);
  });

  it('publishes a text with the secret token as one event, however often Telegram retries it', async () => {
    const chatId = chat();
    const update = {
      update_id: (updateId += 1),
      message: message(chatId, { text: 'Привет! Where is my parcel?' }),
    };
    expect((await post(update, secret)).status).toBe(200);
    expect(await arrived(update.update_id)).toMatchObject({
      channel: 'telegram',
      sender: { kind: 'telegram', address: String(chatId), verified: true, displayName: 'Olga Petrova' },
      text: 'Привет! Where is my parcel?',
    });
    expect((await post(update, secret)).status).toBe(200);
    await settle(1_000);
    // A text's retry is published again as the same event (ADR 0036): one id, one message in history.
    expect(new Set(inboundFor(update.update_id).map((c) => c.event.id)).size).toBe(1);
  });

  it('refuses an update without the secret token or with another, and answers 200 to a channel nobody has', async () => {
    const update = { update_id: (updateId += 1), message: message(chat(), { text: 'forged' }) };
    expect((await post(update, null)).status).toBe(403);
    expect((await post(update, `${secret}x`)).status).toBe(403);
    expect((await post(update, secret, randomUUID())).status).toBe(200);
    await settle(1_000);
    expect(inboundFor(update.update_id)).toHaveLength(0);
  });

  it('keeps the largest photo size through getFile, a document, an edit (shown as edited) and /start with its payload', async () => {
    const chatId = chat();
    api.addFile('small', Buffer.from('not the one'));
    api.addFile('large', JPEG);
    api.addFile('doc', Buffer.from('%PDF-1.4 order'));
    const photo = {
      update_id: (updateId += 1),
      message: message(chatId, {
        caption: 'the damage',
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 90, file_size: 11 },
          { file_id: 'large', file_unique_id: 'l', width: 1280, height: 1280, file_size: JPEG.length },
        ],
      }),
    };
    const document = {
      update_id: (updateId += 1),
      message: message(chatId, {
        document: { file_id: 'doc', file_name: 'order.pdf', mime_type: 'application/pdf' },
      }),
    };
    const edit = {
      update_id: (updateId += 1),
      edited_message: message(chatId, { text: 'fixed typo', edit_date: Math.floor(Date.now() / 1000) }),
    };
    const start = { update_id: (updateId += 1), message: message(chatId, { text: '/start order-42' }) };
    for (const update of [photo, document, edit, start])
      expect((await post(update, secret)).status).toBe(200);

    const withPhoto = await arrived(photo.update_id);
    expect(withPhoto.text).toBe('the damage');
    expect(withPhoto.attachments).toEqual([
      expect.objectContaining({ contentType: 'image/jpeg', sizeBytes: JPEG.length }),
    ]);
    const stored = await files.get(withPhoto.attachments[0]!.storageKey);
    const chunks: Buffer[] = [];
    for await (const chunk of stored!.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(JPEG)).toBe(true);
    expect(api.callsOf('getFile').map((c) => c.params.get('file_id'))).not.toContain('small');
    expect((await arrived(document.update_id)).attachments).toEqual([
      expect.objectContaining({ contentType: 'application/pdf', fileName: 'order.pdf' }),
    ]);
    expect(await arrived(edit.update_id)).toMatchObject({
      text: '✏️ Edited: fixed typo',
      hints: { edited: 'true' },
    });
    expect((await arrived(start.update_id)).hints).toMatchObject({ startPayload: 'order-42' });
  });

  it('sends text with sendMessage and an agent’s files as uploaded bytes, never a URL', async () => {
    const chatId = chat();
    const text = await requestDelivery({
      recipient: { kind: 'telegram', address: String(chatId) },
      text: 'On its way!',
    });
    expect((await firstStatus(text)).payload).toMatchObject({ status: 'sent', channel: 'telegram' });
    expect(
      api
        .callsOf('sendMessage')
        .find((c) => c.params.get('chat_id') === String(chatId))!
        .params.get('text'),
    ).toBe('On its way!');

    const photoKey = `inbox/${DEFAULT_WORKSPACE_ID}/${randomUUID()}`;
    const pdf = Buffer.from('%PDF-1.4 label');
    const pdfKey = `inbox/${DEFAULT_WORKSPACE_ID}/${randomUUID()}`;
    await files.put(photoKey, JPEG, { size: JPEG.length, contentType: 'image/jpeg' });
    await files.put(pdfKey, pdf, { size: pdf.length, contentType: 'application/pdf' });
    const withFiles = await requestDelivery({
      recipient: { kind: 'telegram', address: String(chatId) },
      text: 'Label attached',
      attachments: [
        { storageKey: photoKey, contentType: 'image/jpeg', sizeBytes: JPEG.length, fileName: 'box.jpg' },
        { storageKey: pdfKey, contentType: 'application/pdf', sizeBytes: pdf.length, fileName: 'label.pdf' },
      ],
    });
    expect((await firstStatus(withFiles)).payload.status).toBe('sent');
    const photo = api.callsOf('sendPhoto').find((c) => c.params.get('chat_id') === String(chatId))!;
    expect(photo.multipart).toBe(true);
    expect((photo.params.get('photo') as { bytes: Buffer }).bytes.equals(JPEG)).toBe(true);
    const document = api.callsOf('sendDocument').find((c) => c.params.get('chat_id') === String(chatId))!;
    expect((document.params.get('document') as { bytes: Buffer }).bytes.equals(pdf)).toBe(true);
    expect(document.params.get('caption')).toBe('Label attached');
  });

  it('reports a bot the customer blocked as failed with the reason', async () => {
    api.failNext('sendMessage', 403, 'Forbidden: bot was blocked by the user');
    const messageId = await requestDelivery({ recipient: { kind: 'telegram', address: String(chat()) } });
    expect((await firstStatus(messageId)).payload).toMatchObject({
      status: 'failed',
      errorCode: 'telegram_403',
      errorMessage: 'The customer blocked the bot or never started it.',
    });
  });
});
