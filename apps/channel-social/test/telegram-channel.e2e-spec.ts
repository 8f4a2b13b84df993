import { randomBytes, randomUUID } from 'node:crypto';
import {
  DEFAULT_WORKSPACE_ID,
  InboundMessageReceivedV1,
  type MessageDeliveryRequestedV1,
} from '@switchboard/contracts';
import {
  type BotApiServer,
  type ChannelApp,
  emitDeliveryRequest,
  postTelegramUpdate,
  settle,
  startBotApiServer,
  startChannelApp,
  telegramMessage,
  waitFor,
} from '@switchboard/testing';

const BOT_ID = 7_000_000_000 + Math.floor(Math.random() * 1e6);
const BOT_TOKEN = `${BOT_ID}:AA${randomBytes(16).toString('hex')}`;
const PUBLIC_BASE_URL = 'https://social.example.test';
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(200)]);

/**
 * A Telegram bot as Telegram meets it: the built app in its own process, on the real broker and
 * database; updates in the Bot API's shape with the secret token setWebhook was given; sends and
 * files against a loopback server answering as the Bot API does.
 */
describe('channel-social: Telegram', () => {
  let api: BotApiServer;
  let channel: ChannelApp<typeof InboundMessageReceivedV1>;
  let channelId: string;
  let secret: string;
  let updateId = 500_000;

  const chat = () => 100_000 + Math.floor(Math.random() * 1e6);
  const post = (update: unknown, token: string | null, path = channelId) =>
    postTelegramUpdate(channel.app.url, path, update, token);
  /**
   * Telegram's delivery of a signed update, sent again while it is answered 503 (an event log slow
   * to take the publish on a loaded machine), as Telegram retries: resolves once acknowledged.
   */
  const deliver = (update: unknown) =>
    waitFor(async () => (await post(update, secret)).status === 200, {
      what: 'the update acknowledged',
      intervalMs: 500,
      timeoutMs: 60_000,
    });
  const inboundFor = (id: number) =>
    channel.output.inbound.filter((c) => c.event.payload.providerMessageId === String(id));
  const arrived = async (id: number) =>
    (await waitFor(() => (inboundFor(id).length > 0 ? inboundFor(id) : null)))[0]!.event.payload;
  const requestDelivery = (overrides: Partial<MessageDeliveryRequestedV1['payload']>) =>
    emitDeliveryRequest(channel.kafka.bus, {
      channel: 'telegram',
      channelAccountId: null,
      recipient: { kind: 'telegram', address: '1' },
      text: 'Hello',
      ...overrides,
    });
  const firstStatus = (messageId: string) =>
    waitFor(() => channel.output.statuses.find((s) => s.payload.messageId === messageId), {
      what: 'a delivery status',
    });

  beforeAll(async () => {
    api = await startBotApiServer(BOT_TOKEN);
    channel = await startChannelApp('channel-social', {
      name: 'telegram',
      inboundTypes: [InboundMessageReceivedV1],
      env: { PUBLIC_BASE_URL, TELEGRAM_API_BASE_URL: api.url, TELEGRAM_BOT_TOKEN: BOT_TOKEN },
    });
    const [setWebhook] = api.callsOf('setWebhook');
    const url = String(setWebhook!.params.get('url'));
    channelId = url.split('/').pop()!;
    secret = String(setWebhook!.params.get('secret_token'));
  }, 240_000);

  afterAll(async () => {
    await channel?.close();
    await api?.close();
  });

  it('registers the bot’s webhook under PUBLIC_BASE_URL with a secret token, and keeps the token sealed', async () => {
    const [setWebhook] = api.callsOf('setWebhook');
    expect(setWebhook!.params.get('url')).toBe(`${PUBLIC_BASE_URL}/webhooks/telegram/${channelId}`);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    expect(setWebhook!.params.get('allowed_updates')).toEqual(['message', 'edited_message']);
    const rows = await channel.db.query<{ external_id: string; secrets_sealed: string }>(
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
      message: telegramMessage(chatId, { text: 'Привет! Where is my parcel?' }),
    };
    await deliver(update);
    expect(await arrived(update.update_id)).toMatchObject({
      channel: 'telegram',
      sender: { kind: 'telegram', address: String(chatId), verified: true, displayName: 'Olga Petrova' },
      text: 'Привет! Where is my parcel?',
    });
    await deliver(update);
    await settle(1_000);
    // A text's retry is published again as the same event (ADR 0036): one id, one message in history.
    expect(new Set(inboundFor(update.update_id).map((c) => c.event.id)).size).toBe(1);
  });

  it('refuses an update without the secret token or with another, and answers 200 to a channel nobody has', async () => {
    const update = { update_id: (updateId += 1), message: telegramMessage(chat(), { text: 'forged' }) };
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
      message: telegramMessage(chatId, {
        caption: 'the damage',
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 90, file_size: 11 },
          { file_id: 'large', file_unique_id: 'l', width: 1280, height: 1280, file_size: JPEG.length },
        ],
      }),
    };
    const document = {
      update_id: (updateId += 1),
      message: telegramMessage(chatId, {
        document: { file_id: 'doc', file_name: 'order.pdf', mime_type: 'application/pdf' },
      }),
    };
    const edit = {
      update_id: (updateId += 1),
      edited_message: telegramMessage(chatId, {
        text: 'fixed typo',
        edit_date: Math.floor(Date.now() / 1000),
      }),
    };
    const start = {
      update_id: (updateId += 1),
      message: telegramMessage(chatId, { text: '/start order-42' }),
    };
    for (const update of [photo, document, edit, start]) await deliver(update);

    const withPhoto = await arrived(photo.update_id);
    expect(withPhoto.text).toBe('the damage');
    expect(withPhoto.attachments).toEqual([
      expect.objectContaining({ contentType: 'image/jpeg', sizeBytes: JPEG.length }),
    ]);
    const stored = await channel.files.get(withPhoto.attachments[0]!.storageKey);
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
    await channel.files.put(photoKey, JPEG, { size: JPEG.length, contentType: 'image/jpeg' });
    await channel.files.put(pdfKey, pdf, { size: pdf.length, contentType: 'application/pdf' });
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
