import { randomBytes, randomUUID } from 'node:crypto';
import {
  DEFAULT_WORKSPACE_ID,
  type DeliveryStatusChangedV1,
  InboundMessageReceivedV1,
  type MessageDeliveryRequestedV1,
} from '@switchboard/contracts';
import type { ConsumedEvent } from '@switchboard/messaging';
import type { FilesystemAttachmentStore } from '@switchboard/platform';
import {
  type AppProcess,
  type ChannelApp,
  type ElsewhereServer,
  type GraphApiServer,
  emitDeliveryRequest,
  graphError,
  messagingInbound,
  metaJson,
  postMetaBytes,
  postMetaWebhook,
  settle,
  signMetaBody,
  startChannelApp,
  startElsewhereServer,
  startGraphApiServer,
  waitFor,
  whatsAppInbound,
  whatsAppStatus,
} from '@switchboard/testing';
import pg from 'pg';

const APP_SECRET = randomBytes(16).toString('hex');
const VERIFY_TOKEN = randomBytes(12).toString('hex');
const WA_TOKEN = `EAAG${randomBytes(20).toString('hex')}`;
const PAGE_TOKEN = `EAAG${randomBytes(20).toString('hex')}`;
const PHONE_NUMBER_ID = String(100_000_000_000_000 + Math.floor(Math.random() * 1e9));
const PAGE_ID = String(200_000_000_000_000 + Math.floor(Math.random() * 1e9));
const IG_ID = String(17_841_400_000_000_000 + Math.floor(Math.random() * 1e6));
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);

/**
 * WhatsApp, Messenger and Instagram as Meta meets them: the built app in its own process, on the
 * real broker and database; webhooks in Meta's documented shapes, serialised and signed as Meta
 * does (escaped unicode, HMAC-SHA256 of the bytes); sends and media against a loopback server
 * answering as the Graph API does.
 */
describe('channel-social: Meta', () => {
  let social: ChannelApp<typeof InboundMessageReceivedV1>;
  let db: pg.Pool;
  let graph: GraphApiServer;
  let elsewhere: ElsewhereServer;
  let app: AppProcess;
  let files: FilesystemAttachmentStore;
  let inbound: ConsumedEvent<InboundMessageReceivedV1>[];
  let statuses: DeliveryStatusChangedV1[];

  const wamid = () => `wamid.${randomBytes(24).toString('base64url')}`;
  const customer = () => `1415555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  const post = (raw: string, signature: string | null) => postMetaBytes(app.url, raw, signature);
  const sendWebhook = (body: unknown) => postMetaWebhook(app.url, body, APP_SECRET);
  const inboundFor = (id: string) => inbound.filter((c) => c.event.payload.providerMessageId === id);
  const accountId = async (channel: string) =>
    (await db.query<{ id: string }>('SELECT id FROM channels.social_accounts WHERE channel = $1', [channel]))
      .rows[0]!.id;
  const requestDelivery = (overrides: Partial<MessageDeliveryRequestedV1['payload']>) =>
    emitDeliveryRequest(social.kafka.bus, {
      channel: 'whatsapp',
      channelAccountId: null,
      recipient: { kind: 'phone', address: '+14155550000' },
      text: 'Your order ships today.',
      ...overrides,
    });
  /**
   * The customer's window as the channel recorded it: a webhook is answered without waiting for
   * that write (ADR 0126), so a test that replies at once from it waits for it first.
   */
  const windowRecorded = (address: string) =>
    waitFor(
      async () =>
        (await db.query('SELECT 1 FROM channels.social_customer_windows WHERE address = $1', [address]))
          .rowCount === 1,
      { what: `the window of ${address} recorded` },
    );
  const statusesOf = (messageId: string) => statuses.filter((s) => s.payload.messageId === messageId);
  const firstStatus = (messageId: string) =>
    waitFor(() => statusesOf(messageId)[0], { what: `a delivery status for ${messageId}` });

  beforeAll(async () => {
    graph = await startGraphApiServer([WA_TOKEN, PAGE_TOKEN]);
    elsewhere = await startElsewhereServer('image/png', PNG);
    social = await startChannelApp('channel-social', {
      name: 'social',
      inboundTypes: [InboundMessageReceivedV1],
      env: {
        META_GRAPH_API_BASE_URL: graph.url,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: VERIFY_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
        MESSENGER_PAGE_ID: PAGE_ID,
        MESSENGER_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
        INSTAGRAM_ACCOUNT_ID: IG_ID,
      },
    });
    ({ app, db, files } = social);
    ({ inbound, statuses } = social.output);
  }, 240_000);

  afterAll(async () => {
    await social?.close();
    await graph?.close();
    await elsewhere?.close();
  });

  describe('verification handshake', () => {
    it('answers the challenge to our verify token only', async () => {
      const ask = (query: Record<string, string>) =>
        fetch(`${app.url}/webhooks/meta?${new URLSearchParams(query).toString()}`);
      const ok = await ask({
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': '1158201444',
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('1158201444');
      const refused: Record<string, string>[] = [
        { 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong-token', 'hub.challenge': '1' },
        { 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' },
        { 'hub.mode': 'subscribe', 'hub.challenge': '1' },
      ];
      for (const query of refused) expect((await ask(query)).status).toBe(403);
    });
  });

  describe('WhatsApp inbound', () => {
    it('publishes a message signed over its escaped-unicode bytes, the wa_id as an E.164 phone and the profile name', async () => {
      const id = wamid();
      const from = customer();
      const body = whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from,
        name: 'Zoë Ñúñez 🌷',
        messages: [{ id, type: 'text', text: { body: 'Où est ma commande ? 📦' } }],
      });
      const raw = metaJson(body);
      expect(raw).toContain('\\u00eb');
      const response = await post(raw, signMetaBody(raw, APP_SECRET));
      expect(response.status).toBe(200);
      const [consumed] = await waitFor(() => (inboundFor(id).length > 0 ? inboundFor(id) : null));
      expect(consumed!.key).toBe(`+${from}`);
      expect(consumed!.event.workspaceId).toBe(DEFAULT_WORKSPACE_ID);
      expect(consumed!.event.payload).toMatchObject({
        channel: 'whatsapp',
        channelAccountId: await accountId('whatsapp'),
        providerMessageId: id,
        sender: { kind: 'phone', address: `+${from}`, verified: true, displayName: 'Zoë Ñúñez 🌷' },
        text: 'Où est ma commande ? 📦',
        attachments: [],
      });
    });

    it('refuses a missing or wrong signature, and one over a re-serialised body, publishing nothing', async () => {
      const id = wamid();
      const body = whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from: customer(),
        messages: [{ id, type: 'text', text: { body: 'Grüße' } }],
      });
      const escaped = metaJson(body);
      const utf8 = JSON.stringify(body);
      expect((await post(escaped, null)).status).toBe(403);
      expect((await post(escaped, signMetaBody(escaped, 'another-app-secret'))).status).toBe(403);
      expect((await post(escaped, 'sha256=zz')).status).toBe(403);
      // What a receiver that parsed and re-serialised the body would check: not what Meta signed.
      expect((await post(utf8, signMetaBody(escaped, APP_SECRET))).status).toBe(403);
      await settle(1_000);
      expect(inboundFor(id)).toHaveLength(0);
    });

    it('publishes every message of several entries once, media copied from the Graph API, types from the bytes; a retry publishes nothing', async () => {
      const from = customer();
      graph.addMedia('1001', 'image/jpeg', PNG); // declared JPEG, bytes PNG: the bytes win
      graph.addMedia('1002', 'application/pdf', Buffer.from('%PDF-1.7 a document'));
      const ids = Array.from({ length: 8 }, wamid);
      const first = whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from,
        messages: [
          { id: ids[0], type: 'image', image: { id: '1001', mime_type: 'image/jpeg', caption: 'the box' } },
          {
            id: ids[1],
            type: 'document',
            document: { id: '1002', mime_type: 'application/pdf', filename: 'invoice.pdf' },
          },
          {
            id: ids[2],
            type: 'location',
            location: { latitude: 48.8584, longitude: 2.2945, name: 'Tour Eiffel' },
          },
          {
            id: ids[3],
            type: 'contacts',
            contacts: [{ name: { formatted_name: 'Ana Lima' }, phones: [{ phone: '+55 11 5555 0000' }] }],
          },
        ],
      });
      const second = whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from,
        messages: [
          { id: ids[4], type: 'reaction', reaction: { message_id: ids[0], emoji: '👍' } },
          { id: ids[5], type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] },
          { id: ids[6], type: 'audio', audio: { id: 'missing-media', mime_type: 'audio/ogg' } },
          { id: ids[7], type: 'text', text: { body: 'last one' } },
        ],
      });
      const body = {
        object: 'whatsapp_business_account',
        entry: [...(first.entry as unknown[]), ...(second.entry as unknown[])],
      };
      expect((await sendWebhook(body)).status).toBe(200);
      await waitFor(() => ids.every((id) => inboundFor(id).length > 0) || null, {
        what: 'all eight messages',
      });
      const payload = (i: number) => inboundFor(ids[i]!)[0]!.event.payload;

      expect(payload(0).text).toBe('the box');
      expect(payload(0).attachments).toEqual([
        expect.objectContaining({ contentType: 'image/png', sizeBytes: PNG.length }),
      ]);
      expect(payload(0).attachments[0]!.storageKey).toMatch(
        new RegExp(`^social-media/${DEFAULT_WORKSPACE_ID}/`),
      );
      const stored = await files.get(payload(0).attachments[0]!.storageKey);
      const chunks: Buffer[] = [];
      for await (const chunk of stored!.body) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(PNG)).toBe(true);
      expect(payload(1).attachments).toEqual([
        expect.objectContaining({ contentType: 'application/pdf', fileName: 'invoice.pdf' }),
      ]);
      expect(payload(2).text).toContain('Tour Eiffel');
      expect(payload(2).text).toContain('48.8584');
      expect(payload(3).text).toContain('Ana Lima');
      expect(payload(4).text).toBe('Reacted 👍 to a message');
      expect(payload(4).hints).toMatchObject({ reactionTo: ids[0] });
      expect(payload(5).text).toBe('[Unsupported WhatsApp message: unsupported]');
      expect(payload(5).hints).toMatchObject({ unsupported: 'unsupported' });
      // Media Meta no longer has: the message still arrives, the loss said.
      expect(payload(6).hints).toMatchObject({ mediaRejected: '1' });
      expect(payload(7).text).toBe('last one');

      // Meta retries the whole POST: acknowledged, nothing published twice.
      const mediaLookups = graph.requests.length;
      expect((await sendWebhook(body)).status).toBe(200);
      await settle(1_500);
      for (const id of ids) expect(inboundFor(id)).toHaveLength(1);
      expect(graph.requests.length).toBe(mediaLookups);
    });

    it('takes a batch of 1,000 messages in one POST (well over express’s 100 KB default) and publishes each once', async () => {
      const from = customer();
      const ids = Array.from({ length: 1_000 }, wamid);
      const body = whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from,
        messages: ids.map((id, i) => ({ id, type: 'text', text: { body: `message ${i} — ça roule` } })),
      });
      expect(metaJson(body).length).toBeGreaterThan(100 * 1024);
      expect((await sendWebhook(body)).status).toBe(200);
      await waitFor(() => ids.every((id) => inboundFor(id).length === 1) || null, {
        what: 'all 1,000 messages',
      });
    });

    it('never fetches a media URL outside Meta', async () => {
      const id = wamid();
      graph.addMedia('2001', 'image/png', PNG, { url: `${elsewhere.url}/internal` });
      const body = whatsAppInbound({
        phoneNumberId: PHONE_NUMBER_ID,
        from: customer(),
        messages: [{ id, type: 'image', image: { id: '2001', mime_type: 'image/png' } }],
      });
      expect((await sendWebhook(body)).status).toBe(200);
      const [consumed] = await waitFor(() => (inboundFor(id).length > 0 ? inboundFor(id) : null));
      expect(consumed!.event.payload.attachments).toEqual([]);
      expect(consumed!.event.payload.hints).toMatchObject({ mediaRejected: '1' });
      expect(elsewhere.hits()).toBe(0);
    });

    it('answers 200 for a number nobody connected and 400 for a body that is not JSON, publishing nothing', async () => {
      const id = wamid();
      const body = whatsAppInbound({
        phoneNumberId: '999999999999',
        from: customer(),
        messages: [{ id, type: 'text', text: { body: 'hello?' } }],
      });
      expect((await sendWebhook(body)).status).toBe(200);
      const malformed = '{"object": "whatsapp_business_account", "entry": [';
      expect((await post(malformed, signMetaBody(malformed, APP_SECRET))).status).toBe(400);
      await settle(1_000);
      expect(inboundFor(id)).toHaveLength(0);
      expect(app.output()).toContain('webhook for a recipient no workspace connected');
      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toMatch(
        /^switchboard_social_unknown_recipient_webhooks_total\{provider="meta"\} [1-9]/m,
      );
      expect(metrics).toContain('switchboard_social_unknown_recipient_webhooks_total{provider="telegram"} 0');
    });
  });

  describe('WhatsApp outbound', () => {
    it('sends text inside the window through the Graph API and maps Meta’s statuses, failed with its code and text', async () => {
      const from = customer();
      expect(
        (
          await sendWebhook(
            whatsAppInbound({
              phoneNumberId: PHONE_NUMBER_ID,
              from,
              messages: [{ id: wamid(), type: 'text', text: { body: 'hi' } }],
            }),
          )
        ).status,
      ).toBe(200);
      await windowRecorded(`+${from}`);
      const messageId = await requestDelivery({
        recipient: { kind: 'phone', address: `+${from}` },
        text: 'Hello from support',
      });
      const sent = await firstStatus(messageId);
      expect(sent.payload).toMatchObject({ channel: 'whatsapp', status: 'sent' });
      const send = graph.sends().find((r) => r.json?.to === from)!;
      expect(send.path).toBe(`/${PHONE_NUMBER_ID}/messages`);
      expect(send.version).toBe('v23.0');
      expect(send.token).toBe(WA_TOKEN);
      expect(send.json).toMatchObject({
        messaging_product: 'whatsapp',
        to: from,
        type: 'text',
        text: { body: 'Hello from support' },
      });

      const providerId = sent.payload.providerMessageId!;
      // A read without a delivered is fine; a late delivered after it is dropped.
      await sendWebhook(
        whatsAppStatus(PHONE_NUMBER_ID, [{ id: providerId, status: 'read', recipient: from }]),
      );
      await sendWebhook(
        whatsAppStatus(PHONE_NUMBER_ID, [{ id: providerId, status: 'delivered', recipient: from }]),
      );
      await waitFor(() => statusesOf(messageId).find((s) => s.payload.status === 'read'));
      await settle(1_000);
      expect(statusesOf(messageId).map((s) => s.payload.status)).toEqual(['sent', 'read']);

      const other = await requestDelivery({
        recipient: { kind: 'phone', address: `+${from}` },
        text: 'Second',
      });
      const otherId = (await firstStatus(other)).payload.providerMessageId!;
      await sendWebhook(
        whatsAppStatus(PHONE_NUMBER_ID, [
          {
            id: otherId,
            status: 'failed',
            recipient: from,
            errors: [
              {
                code: 131026,
                title: 'Message undeliverable',
                error_data: { details: 'Receiver is incapable of receiving this message' },
              },
            ],
          },
        ]),
      );
      const failed = await waitFor(() => statusesOf(other).find((s) => s.payload.status === 'failed'));
      expect(failed.payload).toMatchObject({
        errorCode: '131026',
        errorMessage: expect.stringContaining('Message undeliverable'),
      });
    });

    it('uploads an agent’s file’s bytes to the Graph API and sends it by media id', async () => {
      const from = customer();
      await sendWebhook(
        whatsAppInbound({
          phoneNumberId: PHONE_NUMBER_ID,
          from,
          messages: [{ id: wamid(), type: 'text', text: { body: 'hi' } }],
        }),
      );
      const storageKey = `inbox/${DEFAULT_WORKSPACE_ID}/${randomUUID()}`;
      await files.put(storageKey, PNG, { size: PNG.length, contentType: 'image/png' });
      const messageId = await requestDelivery({
        recipient: { kind: 'phone', address: `+${from}` },
        text: 'Here is the label',
        attachments: [{ storageKey, contentType: 'image/png', sizeBytes: PNG.length, fileName: 'label.png' }],
      });
      expect((await firstStatus(messageId)).payload.status).toBe('sent');
      const upload = graph.requests.find((r) => r.path === `/${PHONE_NUMBER_ID}/media` && r.form !== null)!;
      const file = upload.form!.get('file') as { bytes: Buffer; type: string };
      expect(file.bytes.equals(PNG)).toBe(true);
      expect(upload.form!.get('messaging_product')).toBe('whatsapp');
      const send = graph.sends().find((r) => r.json?.to === from && r.json.type === 'image')!;
      expect(send.json).toMatchObject({ image: { id: expect.any(String), caption: 'Here is the label' } });
    });

    it('refuses free-form text outside the 24-hour window before Meta, with the reason', async () => {
      const sendsBefore = graph.sends().length;
      const messageId = await requestDelivery({ recipient: { kind: 'phone', address: '+14155559999' } });
      const refused = await firstStatus(messageId);
      expect(refused.payload).toMatchObject({ status: 'failed', errorCode: 'window_closed' });
      expect(refused.payload.errorMessage).toMatch(/24 hours.*template/);
      expect(graph.sends().length).toBe(sendsBefore);
    });

    it('sends a reply to a message whose window it has not recorded by the window history saw, for that number and address only', async () => {
      const from = customer();
      const address = `+${from}`;
      const provider = wamid();
      expect(
        (
          await sendWebhook(
            whatsAppInbound({
              phoneNumberId: PHONE_NUMBER_ID,
              from,
              messages: [{ id: provider, type: 'text', text: { body: 'are you there?' } }],
            }),
          )
        ).status,
      ).toBe(200);
      const [received] = await waitFor(() => (inboundFor(provider).length > 0 ? inboundFor(provider) : null));
      // The channel's own record not there (its write still under way, or lost with the process).
      await windowRecorded(address);
      await db.query('DELETE FROM channels.social_customer_windows WHERE address = $1', [address]);
      const lastInbound = {
        channelAccountId: await accountId('whatsapp'),
        address,
        at: received!.event.payload.receivedAt,
      };
      const sendsBefore = graph.sends().length;

      // Without history's view, the channel knows of no message from them: refused.
      const unknown = await firstStatus(await requestDelivery({ recipient: { kind: 'phone', address } }));
      expect(unknown.payload).toMatchObject({ status: 'failed', errorCode: 'window_closed' });
      // History's view of another address, or of another number, opens nothing here.
      const otherAddress = await firstStatus(
        await requestDelivery({
          recipient: { kind: 'phone', address },
          lastInbound: { ...lastInbound, address: '+14155550001' },
        }),
      );
      expect(otherAddress.payload).toMatchObject({ status: 'failed', errorCode: 'window_closed' });
      const otherNumber = await firstStatus(
        await requestDelivery({
          recipient: { kind: 'phone', address },
          lastInbound: { ...lastInbound, channelAccountId: randomUUID() },
        }),
      );
      expect(otherNumber.payload).toMatchObject({ status: 'failed', errorCode: 'window_closed' });
      expect(graph.sends().length).toBe(sendsBefore);

      // As history sends it: the message just received opens the window.
      const reply = await firstStatus(
        await requestDelivery({ recipient: { kind: 'phone', address }, text: 'Yes!', lastInbound }),
      );
      expect(reply.payload).toMatchObject({ status: 'sent' });
      expect(graph.sends().find((r) => r.json?.to === from)?.json).toMatchObject({ text: { body: 'Yes!' } });
    });

    it('sends an approved template outside the window, with its parameters, and learns the number’s business account', async () => {
      const messageId = await requestDelivery({
        recipient: { kind: 'phone', address: '+14155559998' },
        text: 'Template order_update (en_US): Inès, A-17',
        template: { name: 'order_update', language: 'en_US', parameters: ['Inès', 'A-17'] },
      });
      const sent = await firstStatus(messageId);
      expect(sent.payload).toMatchObject({
        status: 'sent',
        providerMessageId: expect.stringMatching(/^wamid\./),
      });
      const send = graph.sends().find((r) => r.json?.to === '14155559998')!;
      expect(send.json).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '14155559998',
        type: 'template',
        template: {
          name: 'order_update',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Inès' },
                { type: 'text', text: 'A-17' },
              ],
            },
          ],
        },
      });
      // Every earlier WhatsApp webhook named the business account (the entry's id): it was kept.
      const settings = await db.query<{ settings: { businessAccountId?: string } }>(
        `SELECT settings FROM channels.social_accounts WHERE channel = 'whatsapp'`,
      );
      expect(settings.rows[0]!.settings.businessAccountId).toBe('102290129340398');
      // A template on Messenger is refused: templates are WhatsApp's.
      const refused = await firstStatus(
        await requestDelivery({
          channel: 'messenger',
          recipient: { kind: 'messenger', address: '123' },
          template: { name: 'order_update', language: 'en_US', parameters: [] },
        }),
      );
      expect(refused.payload).toMatchObject({ status: 'failed', errorCode: 'template_not_supported' });
    });

    it('reports a permanent Graph error as failed with Meta’s reason, without retrying', async () => {
      const from = customer();
      await sendWebhook(
        whatsAppInbound({
          phoneNumberId: PHONE_NUMBER_ID,
          from,
          messages: [{ id: wamid(), type: 'text', text: { body: 'hi' } }],
        }),
      );
      graph.enqueueSendResponses(graphError(400, 131047, 'Re-engagement message'));
      const messageId = await requestDelivery({ recipient: { kind: 'phone', address: `+${from}` } });
      const failed = await firstStatus(messageId);
      expect(failed.payload).toMatchObject({ status: 'failed', errorCode: '131047' });
      expect(failed.payload.errorMessage).toMatch(/24 hours/);
    });
  });

  describe('Messenger and Instagram', () => {
    it('publishes a Messenger message under its PSID with its CDN attachment, ignores echoes, and replies with RESPONSE', async () => {
      const psid = String(Date.now());
      const mid = `m_${randomBytes(16).toString('hex')}`;
      const url = graph.addCdnFile('image/png', PNG);
      const body = messagingInbound('page', PAGE_ID, [
        {
          sender: { id: psid },
          message: { mid, text: 'Bonjour ✨', attachments: [{ type: 'image', payload: { url } }] },
        },
        {
          sender: { id: PAGE_ID },
          recipient: { id: psid },
          message: { mid: `m_echo${mid}`, text: 'echo', is_echo: true },
        },
      ]);
      expect((await sendWebhook(body)).status).toBe(200);
      const [consumed] = await waitFor(() => (inboundFor(mid).length > 0 ? inboundFor(mid) : null));
      expect(consumed!.event.payload).toMatchObject({
        channel: 'messenger',
        sender: { kind: 'messenger', address: psid, verified: true },
        text: 'Bonjour ✨',
        attachments: [expect.objectContaining({ contentType: 'image/png', sizeBytes: PNG.length })],
      });
      expect(inboundFor(`m_echo${mid}`)).toHaveLength(0);

      await windowRecorded(psid);
      const messageId = await requestDelivery({
        channel: 'messenger',
        recipient: { kind: 'messenger', address: psid },
        text: 'Merci !',
      });
      const sent = await firstStatus(messageId);
      expect(sent.payload.status).toBe('sent');
      const send = graph
        .sends()
        .find((r) => (r.json?.recipient as { id?: string } | undefined)?.id === psid)!;
      expect(send.path).toBe(`/${PAGE_ID}/messages`);
      expect(send.token).toBe(PAGE_TOKEN);
      expect(send.json).toMatchObject({ messaging_type: 'RESPONSE', message: { text: 'Merci !' } });

      await sendWebhook(
        messagingInbound('page', PAGE_ID, [
          {
            sender: { id: psid },
            delivery: { mids: [sent.payload.providerMessageId], watermark: Date.now() },
          },
        ]),
      );
      await waitFor(() => statusesOf(messageId).find((s) => s.payload.status === 'delivered'));
    });

    it('marks every reply up to Messenger’s read watermark read, and none sent after it', async () => {
      const psid = String(Date.now() + 3);
      await sendWebhook(
        messagingInbound('page', PAGE_ID, [
          { sender: { id: psid }, message: { mid: `m_${randomBytes(8).toString('hex')}`, text: 'hi' } },
        ]),
      );
      await waitFor(() => inbound.find((c) => c.event.payload.sender.address === psid));
      await windowRecorded(psid);
      const reply = async (text: string) => {
        const id = await requestDelivery({
          channel: 'messenger',
          recipient: { kind: 'messenger', address: psid },
          text,
        });
        expect((await firstStatus(id)).payload.status).toBe('sent');
        return id;
      };
      const first = await reply('One');
      const second = await reply('Two');
      const watermark = Date.now();
      await settle(50);
      const third = await reply('Three');
      // Meta's read names no message: only the moment up to which the person read.
      expect(
        (
          await sendWebhook(
            messagingInbound('page', PAGE_ID, [{ sender: { id: psid }, read: { watermark } }]),
          )
        ).status,
      ).toBe(200);
      for (const id of [first, second])
        await waitFor(() => statusesOf(id).find((s) => s.payload.status === 'read'), { what: `${id} read` });
      // A retry of the same read moves nothing again.
      await sendWebhook(messagingInbound('page', PAGE_ID, [{ sender: { id: psid }, read: { watermark } }]));
      await settle(1_000);
      expect(statusesOf(first).map((s) => s.payload.status)).toEqual(['sent', 'read']);
      expect(statusesOf(third).map((s) => s.payload.status)).toEqual(['sent']);
    });

    it('replies past 24 hours only with the HUMAN_AGENT tag where the page has it, and refuses after 7 days', async () => {
      const psid = String(Date.now() + 7);
      await sendWebhook(
        messagingInbound('page', PAGE_ID, [
          { sender: { id: psid }, message: { mid: `m_${randomBytes(8).toString('hex')}`, text: 'hi' } },
        ]),
      );
      await waitFor(() => inbound.find((c) => c.event.payload.sender.address === psid));
      await windowRecorded(psid);
      const lastWrote = (hours: number) =>
        db.query(
          `UPDATE channels.social_customer_windows SET last_inbound_at = now() - make_interval(hours => $2)
           WHERE address = $1`,
          [psid, hours],
        );
      const reply = () =>
        requestDelivery({
          channel: 'messenger',
          recipient: { kind: 'messenger', address: psid },
          text: 'Sorry for the wait',
        });

      await lastWrote(30);
      const untagged = await firstStatus(await reply());
      expect(untagged.payload).toMatchObject({ status: 'failed', errorCode: 'window_closed' });
      expect(untagged.payload.errorMessage).toMatch(/human agent tag/);

      await db.query(
        `UPDATE channels.social_accounts SET settings = settings || '{"humanAgentTag": true}' WHERE channel = 'messenger'`,
      );
      // The account cache forgets within 5 s.
      await settle(5_500);
      const tagged = await firstStatus(await reply());
      expect(tagged.payload.status).toBe('sent');
      const send = graph
        .sends()
        .filter((r) => (r.json?.recipient as { id?: string } | undefined)?.id === psid)
        .at(-1)!;
      expect(send.json).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

      await lastWrote(7 * 24 + 1);
      const sendsBefore = graph.sends().length;
      const late = await firstStatus(await reply());
      expect(late.payload).toMatchObject({ status: 'failed', errorCode: 'window_closed' });
      expect(late.payload.errorMessage).toMatch(/7 days/);
      expect(graph.sends().length).toBe(sendsBefore);
    });

    it('publishes an Instagram message under its IGSID and refuses a reply to someone who never wrote', async () => {
      const igsid = String(Date.now() + 1);
      const mid = `aWdfZAG${randomBytes(16).toString('hex')}`;
      expect(
        (
          await sendWebhook(
            messagingInbound('instagram', IG_ID, [{ sender: { id: igsid }, message: { mid, text: 'hey' } }]),
          )
        ).status,
      ).toBe(200);
      const [consumed] = await waitFor(() => (inboundFor(mid).length > 0 ? inboundFor(mid) : null));
      expect(consumed!.event.payload).toMatchObject({
        channel: 'instagram',
        sender: { kind: 'instagram', address: igsid },
      });
      const messageId = await requestDelivery({
        channel: 'instagram',
        recipient: { kind: 'instagram', address: 'never-wrote' },
        text: 'Hello',
      });
      expect((await firstStatus(messageId)).payload).toMatchObject({
        status: 'failed',
        errorCode: 'window_closed',
      });
    });
  });

  it('keeps the tokens and the app secret sealed at rest', async () => {
    const rows = await db.query<{ secrets_sealed: string }>(
      'SELECT secrets_sealed FROM channels.social_accounts',
    );
    expect(rows.rows).toHaveLength(3);
    for (const row of rows.rows) {
      expect(row.secrets_sealed).not.toContain(WA_TOKEN);
      expect(row.secrets_sealed).not.toContain(PAGE_TOKEN);
      expect(row.secrets_sealed).not.toContain(APP_SECRET);
    }
  });
});
