import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Attachment, DEFAULT_WORKSPACE_ID, OutboundMessageRequestedV1 } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import { FilesystemAttachmentStore } from '@switchboard/platform';
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
import WebSocket from 'ws';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const CUSTOMER = '+14155550177';
const PUBLIC_BASE_URL = 'https://switchboard.example.test';
// A JPEG's start and end markers around a JFIF header: what a carrier sends, in miniature.
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

/**
 * A customer's MMS, copied by the SMS channel into the shared AttachmentStore, forwarded by an
 * agent (a reply asked for on `outbound-requests`, as the inbox and the gRPC API do through history)
 * to a web customer, whose widget downloads it from the store — in one standalone process on Kafka.
 * A key of another workspace named in the same reply is not served.
 */
describe('standalone: an MMS forwarded to a web customer', () => {
  const topicPrefix = `${testRunId()}.mms-web-${randomUUID().slice(0, 8)}.`;
  let database: TestDatabase;
  let db: pg.Pool;
  let twilioApi: TwilioApiServer;
  let bus: KafkaEventBus;
  let app: AppProcess;
  let dataDir: string;
  let files: FilesystemAttachmentStore;
  let socket: WebSocket | undefined;

  beforeAll(async () => {
    const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
    database = await createTestDatabase('standalone_mms_web');
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    dataDir = await mkdtemp(join(tmpdir(), 'mms-web-'));
    // The process's store (ATTACHMENT_STORAGE's default): SWITCHBOARD_DATA_DIR/attachments.
    files = new FilesystemAttachmentStore(join(dataDir, 'attachments'));
    twilioApi = await startTwilioApiServer({ [ACCOUNT_SID]: AUTH_TOKEN });
    bus = new KafkaEventBus({
      brokers,
      clientId: 'mms-web-e2e',
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
      SWITCHBOARD_DATA_DIR: dataDir,
    });
    await app.waitUntilReady(120_000);
  }, 180_000);

  afterAll(async () => {
    socket?.terminate();
    await app?.stop('SIGTERM');
    await bus?.close();
    await twilioApi?.close();
    await db?.end();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("serves the MMS from the store to the web customer it was forwarded to, and not another workspace's key", async () => {
    // The SMS customer's MMS: copied from Twilio into the store under the workspace's key.
    const inbound = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, { Body: 'The damage' });
    const mediaUrl = twilioApi.addMedia(ACCOUNT_SID, inbound.MessageSid, {
      contentType: 'image/jpeg',
      body: JPEG,
    });
    const mms = { ...inbound, NumMedia: '1', MediaUrl0: mediaUrl, MediaContentType0: 'image/jpeg' };
    const signed = signedTwilioWebhook(AUTH_TOKEN, `${PUBLIC_BASE_URL}/webhooks/twilio/sms`, mms);
    expect((await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', ...signed })).status).toBe(200);
    const [photo] = await waitFor(
      async () =>
        (
          await db.query<{ attachments: Attachment[] }>(
            'SELECT attachments FROM history.messages WHERE provider_message_id = $1',
            [inbound.MessageSid],
          )
        ).rows[0]?.attachments,
      { what: 'the MMS in history', timeoutMs: 60_000 },
    );
    expect(photo!.storageKey).toMatch(new RegExp(`^sms-media/${DEFAULT_WORKSPACE_ID}/[0-9a-f-]{36}$`));
    expect((await files.get(photo!.storageKey))?.size).toBe(JPEG.length);
    // Another workspace's MMS in the same store, its key named in this workspace's reply.
    const theirs = `sms-media/${randomUUID()}/${randomUUID()}`;
    await files.put(theirs, JPEG, { size: JPEG.length });

    // The web customer, by the widget's socket as a page of ours would open it.
    await fetch(`${app.url}/demo`).then((r) => r.arrayBuffer());
    const widgetKey = await waitFor(
      async () =>
        (
          await db.query<{ widget_key: string }>(
            'SELECT widget_key FROM channels.web_settings WHERE workspace_id = $1',
            [DEFAULT_WORKSPACE_ID],
          )
        ).rows[0]?.widget_key,
      { what: 'the widget key' },
    );
    const received: Record<string, unknown>[] = [];
    socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/ws/widget?key=${widgetKey}`, {
      headers: { origin: app.url },
    });
    socket.on('message', (data: Buffer) =>
      received.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>),
    );
    await new Promise<void>((resolve, reject) => {
      socket!.once('open', resolve);
      socket!.once('error', reject);
    });
    socket.send(JSON.stringify({ t: 'hello' }));
    const welcome = await waitFor(() => received.find((m) => m.t === 'welcome'), { what: 'welcome' });
    const token = welcome.token as string;
    socket.send(JSON.stringify({ t: 'msg', id: randomUUID(), text: 'Did you get my photo?' }));
    const customerId = await waitFor(
      async () =>
        (
          await db.query<{ customer_id: string }>(
            `SELECT customer_id FROM history.messages WHERE channel = 'web' AND text = 'Did you get my photo?'`,
          )
        ).rows[0]?.customer_id,
      { what: 'the web message in history', timeoutMs: 60_000 },
    );

    // The agent forwards the MMS (and, forged, the other workspace's key) to the web customer.
    await bus.emit(
      OutboundMessageRequestedV1.create({
        workspaceId: DEFAULT_WORKSPACE_ID,
        payload: {
          idempotencyKey: randomUUID(),
          customerId,
          internalNote: false,
          text: 'The photo you sent by text',
          attachments: [photo!, { storageKey: theirs, contentType: 'image/jpeg', sizeBytes: JPEG.length }],
          sender: { type: 'agent', id: 'agent-a', name: 'Ada' },
        },
      }),
    );
    const item = await waitFor(
      () =>
        received
          .filter((m) => m.t === 'item')
          .map((m) => m.item as { text: string | null; attachments?: { id: string }[] })
          .find((i) => i.text === 'The photo you sent by text'),
      { what: 'the forwarded photo in the widget', timeoutMs: 60_000 },
    );
    expect(item.attachments).toHaveLength(2);
    const download = (id: string) =>
      fetch(`${app.url}/widget/attachments/${id}?key=${widgetKey}`, {
        headers: { 'x-visitor-token': token },
      });
    const served = await download(item.attachments![0]!.id);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.from(await served.arrayBuffer()).equals(JPEG)).toBe(true);
    expect((await download(item.attachments![1]!.id)).status).toBe(404);
  }, 240_000);
});
