import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Attachment, DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { FilesystemAttachmentStore } from '@switchboard/platform';
import {
  STANDALONE_PUBLIC_BASE_URL,
  type StandaloneWithSms,
  type TwilioApiServer,
  emitAgentReply,
  newTwilioAccount,
  startStandaloneWithSms,
  startTwilioApiServer,
  testKafka,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';
import WebSocket from 'ws';

const CUSTOMER = '+14155550177';
// A JPEG's start and end markers around a JFIF header: what a carrier sends, in miniature.
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

/**
 * A customer's MMS, copied by the SMS channel into the shared AttachmentStore, forwarded by an
 * agent (a reply asked for on `outbound-requests`, as the inbox and the gRPC API do through history)
 * to a web customer, whose widget downloads it from the store — in one standalone process on Kafka.
 * A key of another workspace named in the same reply is not served.
 */
describe('standalone: an MMS forwarded to a web customer', () => {
  const kafka = testKafka('mms-web');
  const account = newTwilioAccount();
  let standalone: StandaloneWithSms;
  let db: pg.Pool;
  let twilioApi: TwilioApiServer;
  let dataDir: string;
  let files: FilesystemAttachmentStore;
  let socket: WebSocket | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mms-web-'));
    // The process's store (ATTACHMENT_STORAGE's default): SWITCHBOARD_DATA_DIR/attachments.
    files = new FilesystemAttachmentStore(join(dataDir, 'attachments'));
    twilioApi = await startTwilioApiServer({ [account.accountSid]: account.authToken });
    standalone = await startStandaloneWithSms('standalone_mms_web', {
      twilioAccount: account,
      env: { ...kafka.env, TWILIO_API_BASE_URL: twilioApi.url, SWITCHBOARD_DATA_DIR: dataDir },
    });
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
  }, 180_000);

  afterAll(async () => {
    socket?.terminate();
    await db?.end();
    await standalone?.close();
    await kafka.bus.close();
    await twilioApi?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("serves the MMS from the store to the web customer it was forwarded to, and not another workspace's key", async () => {
    // The SMS customer's MMS: copied from Twilio into the store under the workspace's key.
    const app = standalone.app;
    const { accountSid } = account;
    const inbound = twilioInboundSmsParams(accountSid, standalone.twilio.number, CUSTOMER, {
      Body: 'The damage',
    });
    const mediaUrl = twilioApi.addMedia(accountSid, inbound.MessageSid, {
      contentType: 'image/jpeg',
      body: JPEG,
    });
    const mms = { ...inbound, NumMedia: '1', MediaUrl0: mediaUrl, MediaContentType0: 'image/jpeg' };
    expect(await standalone.postTwilio(`${STANDALONE_PUBLIC_BASE_URL}/webhooks/twilio/sms`, mms)).toBe(200);
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
    await emitAgentReply(kafka.bus, customerId, 'The photo you sent by text', [
      photo!,
      { storageKey: theirs, contentType: 'image/jpeg', sizeBytes: JPEG.length },
    ]);
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
