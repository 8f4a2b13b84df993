import { randomBytes, randomUUID } from 'node:crypto';
import {
  DEFAULT_WORKSPACE_ID,
  type DeliveryStatusChangedV1,
  IdentityOptOutChangedV1,
  InboundMessageReceivedV1,
  MessageDeliveryRequestedV1,
} from '@switchboard/contracts';
import type { ConsumedEvent } from '@switchboard/messaging';
import type { FilesystemAttachmentStore } from '@switchboard/platform';
import {
  type AppProcess,
  type ChannelApp,
  type ElsewhereServer,
  type TwilioApiServer,
  emitDeliveryRequest,
  settle,
  startChannelApp,
  startElsewhereServer,
  startTwilioApiServer,
  twilioError,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';
import twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import { MmsMediaTokens } from '../src/media/mms-media-token.util.js';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://sms.example.test';
const CUSTOMER = '+14155550123';
const ENCRYPTION_KEY = randomBytes(32);

/** The `twilio` library's own HTTP client, its requests to api.twilio.com sent to `base`. */
function loopback(base: string) {
  return new (class extends twilio.RequestClient {
    override request<T>(opts: TwilioRequestClient.RequestOptions<T>) {
      return super.request<T>({ ...opts, uri: opts.uri.replace('https://api.twilio.com', base) });
    }
  })();
}

/**
 * The SMS channel as Twilio meets it: the built app in its own process, on the real broker and
 * database; webhooks signed by the `twilio` library itself; outbound through the real `twilio`
 * client against a loopback server that answers as Twilio's REST API does.
 */
describe('channel-sms', () => {
  let sms: ChannelApp<typeof InboundMessageReceivedV1 | typeof IdentityOptOutChangedV1>;
  let db: pg.Pool;
  let api: TwilioApiServer;
  let elsewhere: ElsewhereServer;
  let app: AppProcess;
  let accountId: string;
  let files: FilesystemAttachmentStore;
  let inbound: ConsumedEvent<InboundMessageReceivedV1 | IdentityOptOutChangedV1>[];
  let statuses: DeliveryStatusChangedV1[];

  const inboundParams = (overrides: Record<string, string> = {}) =>
    twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, CUSTOMER, overrides);
  const sign = (url: string, params: Record<string, string>) =>
    twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params);
  const post = (path: string, params: Record<string, string>, signature: string | null) =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature }),
      },
      body: new URLSearchParams(params).toString(),
    });
  const sendInbound = (params: Record<string, string>) =>
    post('/webhooks/twilio/sms', params, sign(`${PUBLIC_BASE_URL}/webhooks/twilio/sms`, params));
  const inboundFor = (sid: string) =>
    inbound.filter(
      (c) => c.event.type === InboundMessageReceivedV1.type && c.event.payload.providerMessageId === sid,
    ) as ConsumedEvent<InboundMessageReceivedV1>[];
  const statusesOf = (messageId: string) => statuses.filter((s) => s.payload.messageId === messageId);
  const requestDelivery = (overrides: Partial<MessageDeliveryRequestedV1['payload']> = {}) =>
    emitDeliveryRequest(sms.kafka.bus, {
      channel: 'sms',
      channelAccountId: accountId,
      recipient: { kind: 'phone', address: CUSTOMER },
      text: 'Your order ships today.',
      ...overrides,
    });
  const finalStatus = (messageId: string) =>
    waitFor(() => statusesOf(messageId).find((s) => s.payload.status !== 'pending'), {
      what: `a delivery status for ${messageId}`,
    });

  beforeAll(async () => {
    api = await startTwilioApiServer({ [ACCOUNT_SID]: AUTH_TOKEN });
    elsewhere = await startElsewhereServer('image/png', 'internal secrets');
    sms = await startChannelApp('channel-sms', {
      name: 'sms',
      inboundTypes: [InboundMessageReceivedV1, IdentityOptOutChangedV1],
      encryptionKey: ENCRYPTION_KEY,
      env: {
        PUBLIC_BASE_URL,
        TWILIO_API_BASE_URL: api.url,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_PHONE_NUMBER: OUR_NUMBER,
      },
    });
    // The app's AttachmentStore: the test stores agents' files there as the inbox would.
    ({ app, db, files } = sms);
    ({ inbound, statuses } = sms.output);
    const rows = await db.query<{ id: string }>(
      'SELECT id FROM channels.sms_accounts WHERE phone_number = $1',
      [OUR_NUMBER],
    );
    accountId = rows.rows[0]!.id;
  }, 240_000);

  afterAll(async () => {
    await sms?.close();
    await api?.close();
    await elsewhere?.close();
  });

  describe('inbound', () => {
    it('publishes a signed message keyed by the E.164 sender, and answers empty TwiML once it is durable', async () => {
      const params = inboundParams();
      const response = await sendInbound(params);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      // Durable before acknowledged: the event is on the log by the time the answer came.
      const [consumed] = await waitFor(() =>
        inboundFor(params.MessageSid).length > 0 ? inboundFor(params.MessageSid) : null,
      );
      expect(consumed!.key).toBe(CUSTOMER);
      expect(consumed!.event.workspaceId).toBe(DEFAULT_WORKSPACE_ID);
      expect(consumed!.event.payload).toMatchObject({
        channel: 'sms',
        channelAccountId: accountId,
        sender: { kind: 'phone', address: CUSTOMER, verified: true },
        text: 'Hello, where is my order?',
        attachments: [],
      });
    });

    it('refuses a tampered body, a signature for another URL, another token, and a missing signature, publishing nothing', async () => {
      const url = `${PUBLIC_BASE_URL}/webhooks/twilio/sms`;
      const tampered = inboundParams();
      const signature = sign(url, tampered);
      expect(
        (await post('/webhooks/twilio/sms', { ...tampered, Body: 'Refund me $500' }, signature)).status,
      ).toBe(403);

      const wrongUrl = inboundParams();
      const wrongUrlSignature = sign('https://attacker.example/webhooks/twilio/sms', wrongUrl);
      expect((await post('/webhooks/twilio/sms', wrongUrl, wrongUrlSignature)).status).toBe(403);
      // The URL this server itself sees is not what Twilio called either (PUBLIC_BASE_URL is).
      const localUrl = inboundParams();
      expect(
        (await post('/webhooks/twilio/sms', localUrl, sign(`${app.url}/webhooks/twilio/sms`, localUrl)))
          .status,
      ).toBe(403);

      const otherToken = inboundParams();
      const forged = twilio.getExpectedTwilioSignature('not-the-token', url, otherToken);
      expect((await post('/webhooks/twilio/sms', otherToken, forged)).status).toBe(403);

      const unsigned = inboundParams();
      expect((await post('/webhooks/twilio/sms', unsigned, null)).status).toBe(400);

      const unknownNumber = inboundParams({ To: '+14155559999' });
      expect((await sendInbound(unknownNumber)).status).toBe(403);

      // The control: the same kind of request, signed properly, is published.
      const control = inboundParams();
      expect((await sendInbound(control)).status).toBe(200);
      await waitFor(() => inboundFor(control.MessageSid).length === 1, { what: 'the control message' });
      for (const p of [tampered, wrongUrl, localUrl, otherToken, unsigned, unknownNumber])
        expect(inboundFor(p.MessageSid)).toHaveLength(0);
    });

    it('acknowledges a repeated MessageSid as the same event again (ADR 0037: one message in history)', async () => {
      const params = inboundParams();
      expect((await sendInbound(params)).status).toBe(200);
      const again = await sendInbound(params);
      expect(again.status).toBe(200);
      expect(await again.text()).toContain('<Response/>');
      const copies = await waitFor(() =>
        inboundFor(params.MessageSid).length === 2 ? inboundFor(params.MessageSid) : null,
      );
      expect(copies[1]!.event.id).toBe(copies[0]!.event.id);
      // The same message; only the time it was received differs (history keeps the first).
      expect({ ...copies[1]!.event.payload, receivedAt: null }).toEqual({
        ...copies[0]!.event.payload,
        receivedAt: null,
      });
    });

    it('keeps the auth token sealed at rest', async () => {
      const { rows } = await db.query<{ auth_token_sealed: string; account_sid: string }>(
        'SELECT auth_token_sealed, account_sid FROM channels.sms_accounts',
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.account_sid).toBe(ACCOUNT_SID);
      expect(rows[0]!.auth_token_sealed).toMatch(/^v1\./);
      expect(rows[0]!.auth_token_sealed).not.toContain(AUTH_TOKEN);
      expect(app.output()).not.toContain(AUTH_TOKEN);
    });
  });

  describe('MMS', () => {
    it("copies the message's media from Twilio with the account's credentials, and never fetches a URL elsewhere", async () => {
      const sid = `MM${randomBytes(16).toString('hex')}`;
      const picture = randomBytes(2_048);
      const twilioMedia = api.addMedia(ACCOUNT_SID, sid, { contentType: 'image/jpeg', body: picture });
      const params = inboundParams({
        MessageSid: sid,
        NumMedia: '3',
        Body: '',
        MediaUrl0: twilioMedia,
        MediaContentType0: 'image/jpeg',
        MediaUrl1: `${elsewhere.url}/latest/meta-data/iam/security-credentials/`,
        MediaContentType1: 'image/png',
        // Twilio's host, but another account's media: our credentials must not go there either.
        MediaUrl2: `${api.url}/2010-04-01/Accounts/AC${'0'.repeat(32)}/Messages/${sid}/Media/ME${'1'.repeat(32)}`,
        MediaContentType2: 'image/png',
      });
      const requestsBefore = api.requests.length;
      expect((await sendInbound(params)).status).toBe(200);
      const [consumed] = await waitFor(() => (inboundFor(sid).length > 0 ? inboundFor(sid) : null));
      const { attachments, hints, text } = consumed!.event.payload;
      expect(text).toBeNull();
      expect(attachments).toHaveLength(1);
      expect(attachments[0]).toMatchObject({ contentType: 'image/jpeg', sizeBytes: picture.length });
      expect(attachments[0]!.storageKey).not.toContain('http');
      expect(hints).toEqual({ mediaRejected: '2' });
      expect(elsewhere.hits()).toBe(0);
      const mediaRequests = api.requests.slice(requestsBefore);
      expect(mediaRequests.map((r) => r.path)).toEqual([new URL(twilioMedia).pathname]);
      expect(mediaRequests[0]!.auth).toEqual({ username: ACCOUNT_SID, password: AUTH_TOKEN });
      // In the shared AttachmentStore, under a key that names the account's workspace (ADR 0033).
      const storageKey = attachments[0]!.storageKey;
      expect(storageKey).toMatch(new RegExp(`^sms-media/${DEFAULT_WORKSPACE_ID}/[0-9a-f-]{36}$`));
      const stored = await files.get(storageKey);
      expect(stored).not.toBeNull();
      expect(stored!.size).toBe(picture.length);
      const bytes: Buffer[] = [];
      for await (const chunk of stored!.body) bytes.push(chunk as Buffer);
      expect(Buffer.concat(bytes).equals(picture)).toBe(true);
      const rows = await db.query('SELECT 1 FROM channels.sms_media');
      expect(rows.rowCount).toBe(0);
    });
    it("does not follow Twilio's redirect anywhere but Twilio's CDN over https", async () => {
      const sid = `MM${randomBytes(16).toString('hex')}`;
      const redirected = api.addMedia(ACCOUNT_SID, sid, { redirectTo: `${elsewhere.url}/internal/admin` });
      const params = inboundParams({
        MessageSid: sid,
        NumMedia: '1',
        MediaUrl0: redirected,
        MediaContentType0: 'image/png',
      });
      expect((await sendInbound(params)).status).toBe(200);
      const [consumed] = await waitFor(() => (inboundFor(sid).length > 0 ? inboundFor(sid) : null));
      expect(consumed!.event.payload.attachments).toEqual([]);
      expect(consumed!.event.payload.hints).toEqual({ mediaRejected: '1' });
      expect(api.requests.some((r) => r.path === new URL(redirected).pathname)).toBe(true);
      expect(elsewhere.hits()).toBe(0);
    });

    it('drops media over 5 MB without keeping it, and still delivers the message', async () => {
      const sid = `MM${randomBytes(16).toString('hex')}`;
      const huge = api.addMedia(ACCOUNT_SID, sid, {
        contentType: 'video/mp4',
        body: Buffer.alloc(5 * 1024 * 1024 + 1),
      });
      const params = inboundParams({
        MessageSid: sid,
        NumMedia: '1',
        Body: 'a video',
        MediaUrl0: huge,
        MediaContentType0: 'video/mp4',
      });
      expect((await sendInbound(params)).status).toBe(200);
      const [consumed] = await waitFor(() => (inboundFor(sid).length > 0 ? inboundFor(sid) : null));
      expect(consumed!.event.payload.attachments).toEqual([]);
      expect(consumed!.event.payload.hints).toEqual({ mediaRejected: '1' });
      expect(consumed!.event.payload.text).toBe('a video');
    });
  });

  describe('outbound', () => {
    it('sends through the twilio client with a status callback, and reports queued with the SID', async () => {
      const before = api.creations().length;
      const lookupsBefore = api.lookups().length;
      const messageId = await requestDelivery();
      const status = await finalStatus(messageId);
      // The claim was stamped as the first attempt (ADR 0155): durable before the send, and the
      // first send looks nothing up.
      expect(api.lookups()).toHaveLength(lookupsBefore);
      const { rows } = await db.query<{ send_attempted_at: Date | null }>(
        'SELECT send_attempted_at FROM channels.sms_outbound_messages WHERE message_id = $1',
        [messageId],
      );
      expect(rows[0]?.send_attempted_at).toBeInstanceOf(Date);
      expect(status.payload).toMatchObject({ status: 'queued', channel: 'sms', channelAccountId: accountId });
      expect(status.payload.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
      const creations = api.creations().slice(before);
      expect(creations).toHaveLength(1);
      const form = creations[0]!.form;
      expect(creations[0]!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
      expect(creations[0]!.auth).toEqual({ username: ACCOUNT_SID, password: AUTH_TOKEN });
      expect(form.get('To')).toBe(CUSTOMER);
      expect(form.get('From')).toBe(OUR_NUMBER);
      expect(form.get('Body')).toBe('Your order ships today.');
      const callback = new URL(form.get('StatusCallback')!);
      expect(callback.origin + callback.pathname).toBe(`${PUBLIC_BASE_URL}/webhooks/twilio/status`);
      expect(callback.searchParams.get('message')).toBe(messageId);
    });

    it("sends from the workspace's number when the request names no account", async () => {
      const before = api.creations().length;
      const messageId = await requestDelivery({ channelAccountId: null, text: 'first contact' });
      const status = await finalStatus(messageId);
      expect(status.payload).toMatchObject({ status: 'queued', channelAccountId: accountId });
      const creations = api.creations().slice(before);
      expect(creations).toHaveLength(1);
      expect(creations[0]!.form.get('From')).toBe(OUR_NUMBER);
    });

    it('refuses a message with no account named in a workspace that has no SMS number', async () => {
      const event = MessageDeliveryRequestedV1.create({
        workspaceId: randomUUID(),
        payload: {
          messageId: randomUUID(),
          conversationId: randomUUID(),
          customerId: randomUUID(),
          channel: 'sms',
          channelAccountId: null,
          recipient: { kind: 'phone', address: CUSTOMER },
          text: 'nobody to send this',
          attachments: [],
          sender: { type: 'agent', id: 'agent-1' },
          requestedAt: new Date().toISOString(),
        },
      });
      const before = api.creations().length;
      await sms.kafka.bus.emit(event);
      const status = await finalStatus(event.payload.messageId);
      expect(status.payload).toMatchObject({
        status: 'failed',
        channelAccountId: null,
        errorCode: 'unknown_channel_account',
      });
      expect(api.creations().slice(before)).toHaveLength(0);
    });

    it('retries a 429 with backoff, then succeeds', async () => {
      api.enqueueCreateResponses(
        twilioError(429, 20429, 'Too Many Requests'),
        twilioError(503, 20503, 'Service unavailable'),
      );
      const before = api.creations().length;
      const messageId = await requestDelivery({ text: 'after the rate limit' });
      const status = await finalStatus(messageId);
      expect(status.payload.status).toBe('queued');
      const bodies = api
        .creations()
        .slice(before)
        .map((r) => r.form.get('Body'));
      expect(bodies).toEqual(['after the rate limit', 'after the rate limit', 'after the rate limit']);
    });

    it('looks a send up at Twilio when its answer was lost, and records the message Twilio took instead of sending it again', async () => {
      api.enqueueCreateResponses({ status: 201, lostAfterCreating: true });
      const before = api.creations().length;
      const lookups = api.lookups().length;
      const messageId = await requestDelivery({ text: 'the answer went missing' });
      const status = await finalStatus(messageId);
      expect(status.payload.status).toBe('queued');
      const creations = api.creations().slice(before);
      expect(creations.map((r) => r.form.get('Body'))).toEqual(['the answer went missing']);
      expect(api.lookups().length).toBeGreaterThan(lookups);
      const [listed] = (
        await twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: loopback(api.url) }).messages.page({
          to: CUSTOMER,
          pageSize: 5,
        })
      ).instances.filter((m) => m.body === 'the answer went missing');
      expect(status.payload.providerMessageId).toBe(listed!.sid);
      const { rows } = await db.query(
        'SELECT provider_message_id FROM channels.sms_outbound_messages WHERE message_id = $1',
        [messageId],
      );
      expect(rows).toEqual([{ provider_message_id: listed!.sid }]);
    });

    it('redelivered after a process died mid-send: records what Twilio took, and sends only what it did not', async () => {
      // What a process killed between its call and recording the SID leaves: a claim with an
      // attempt and no SID, and (for the first) the message at Twilio.
      const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: loopback(api.url) });
      const took = await client.messages.create({
        to: CUSTOMER,
        from: OUR_NUMBER,
        body: 'sent before the kill',
      });
      const claim = async (messageId: string) =>
        db.query(
          `INSERT INTO channels.sms_outbound_messages
             (workspace_id, message_id, channel_account_id, recipient, status, status_rank, send_attempted_at)
           VALUES ($1, $2, $3, $4, 'pending', 0, now() - interval '2 seconds')`,
          [DEFAULT_WORKSPACE_ID, messageId, accountId, CUSTOMER],
        );
      const [tookId, lostId] = [randomUUID(), randomUUID()];
      await claim(tookId);
      await claim(lostId);
      const before = api.creations().length;
      await requestDelivery({ messageId: tookId, text: 'sent before the kill' });
      await requestDelivery({ messageId: lostId, text: 'never reached Twilio' });
      expect((await finalStatus(tookId)).payload).toMatchObject({
        status: 'queued',
        providerMessageId: took.sid,
      });
      const resent = await finalStatus(lostId);
      expect(resent.payload.status).toBe('queued');
      expect(resent.payload.providerMessageId).not.toBe(took.sid);
      expect(
        api
          .creations()
          .slice(before)
          .map((r) => r.form.get('Body')),
      ).toEqual(['never reached Twilio']);
    });

    it('turns 21610 (unsubscribed) into a failed status with the reason, without retrying', async () => {
      api.enqueueCreateResponses(twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
      const before = api.creations().length;
      const messageId = await requestDelivery({ text: 'are you there?' });
      const status = await finalStatus(messageId);
      expect(status.payload).toMatchObject({ status: 'failed', errorCode: '21610' });
      expect(status.payload.errorMessage).toMatch(/opted out/);
      await settle(1_000);
      expect(api.creations().slice(before)).toHaveLength(1);
      expect(statusesOf(messageId)).toHaveLength(1);
    });

    it('refuses a body over 1,600 characters before Twilio', async () => {
      const before = api.creations().length;
      const messageId = await requestDelivery({ text: 'word '.repeat(400) });
      const status = await finalStatus(messageId);
      expect(status.payload).toMatchObject({ status: 'failed', errorCode: 'body_too_long' });
      expect(api.creations().slice(before)).toHaveLength(0);
    });

    it("records Twilio's status callbacks in order, dropping late and forged ones", async () => {
      const messageId = await requestDelivery({ text: 'tracking number 42' });
      const queued = await finalStatus(messageId);
      const creation = api.creations().find((r) => r.form.get('Body') === 'tracking number 42')!;
      const callbackUrl = creation.form.get('StatusCallback')!;
      const path = callbackUrl.slice(PUBLIC_BASE_URL.length);
      const callback = (status: string, extra: Record<string, string> = {}) => {
        const params = {
          SmsSid: queued.payload.providerMessageId!,
          SmsStatus: status,
          MessageStatus: status,
          To: CUSTOMER,
          MessageSid: queued.payload.providerMessageId!,
          AccountSid: ACCOUNT_SID,
          From: OUR_NUMBER,
          ApiVersion: '2010-04-01',
          ...extra,
        };
        return { params, signature: sign(callbackUrl, params) };
      };

      const delivered = callback('delivered');
      expect((await post(path, delivered.params, delivered.signature)).status).toBe(200);
      await waitFor(() => statusesOf(messageId).some((s) => s.payload.status === 'delivered'));
      const late = callback('sent');
      expect((await post(path, late.params, late.signature)).status).toBe(200);
      // A forged callback for the same message: the query names it, but the signature is not the account's.
      const forged = callback('failed', { ErrorCode: '30007' });
      expect(
        (
          await post(
            path,
            forged.params,
            twilio.getExpectedTwilioSignature('nope', callbackUrl, forged.params),
          )
        ).status,
      ).toBe(403);
      // Someone else's message id in a URL signed for ours doesn't verify either.
      const swapped = path.replace(messageId, randomUUID());
      expect((await post(swapped, delivered.params, delivered.signature)).status).toBe(403);
      await settle(1_000);
      expect(statusesOf(messageId).map((s) => s.payload.status)).toEqual(['queued', 'delivered']);
      expect(statusesOf(messageId)[1]!.payload.providerMessageId).toBe(queued.payload.providerMessageId);
    });

    it('reports an undelivered message with its error code', async () => {
      const messageId = await requestDelivery({ text: 'to a landline' });
      const queued = await finalStatus(messageId);
      const callbackUrl = api
        .creations()
        .find((r) => r.form.get('Body') === 'to a landline')!
        .form.get('StatusCallback')!;
      const params = {
        MessageSid: queued.payload.providerMessageId!,
        MessageStatus: 'undelivered',
        ErrorCode: '30006',
        AccountSid: ACCOUNT_SID,
        To: CUSTOMER,
        From: OUR_NUMBER,
      };
      const response = await post(
        callbackUrl.slice(PUBLIC_BASE_URL.length),
        params,
        sign(callbackUrl, params),
      );
      expect(response.status).toBe(200);
      const undelivered = await waitFor(() =>
        statusesOf(messageId).find((s) => s.payload.status === 'undelivered'),
      );
      expect(undelivered.payload).toMatchObject({ errorCode: '30006', messageId });
      expect(undelivered.payload.errorMessage).toMatch(/landline/);
    });
  });

  describe('MMS out', () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(2_000)]);
    const storeFile = async (body: Buffer, workspaceId: string = DEFAULT_WORKSPACE_ID) => {
      const storageKey = `inbox/${workspaceId}/${randomUUID()}`;
      await files.put(storageKey, body, { size: body.length });
      return storageKey;
    };
    const mediaPath = (url: string) => new URL(url).pathname;

    it("sends an agent's files as MMS: Twilio gets URLs under PUBLIC_BASE_URL that serve the files' bytes and checked types", async () => {
      const picture = await storeFile(png);
      const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');
      const document = await storeFile(pdf);
      const before = api.creations().length;
      const messageId = await requestDelivery({
        text: 'Here is your receipt',
        attachments: [
          {
            storageKey: picture,
            contentType: 'image/png',
            sizeBytes: png.length,
            fileName: 'receipt (2026).png',
          },
          { storageKey: document, contentType: 'application/pdf', sizeBytes: pdf.length },
        ],
      });
      expect((await finalStatus(messageId)).payload.status).toBe('queued');
      const [creation] = api.creations().slice(before);
      expect(creation!.form.get('Body')).toBe('Here is your receipt');
      const urls = creation!.form.getAll('MediaUrl');
      expect(urls).toHaveLength(2);
      for (const url of urls) expect(url.startsWith(`${PUBLIC_BASE_URL}/sms/media/`)).toBe(true);
      // Unguessable and opaque: no storage key or workspace in what the carrier sees.
      expect(urls.join(' ')).not.toContain(DEFAULT_WORKSPACE_ID);

      // Twilio checks the type with HEAD, then fetches with GET (here at the app's own address).
      const head = await fetch(`${app.url}${mediaPath(urls[0]!)}`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe('image/png');
      expect(head.headers.get('content-length')).toBe(String(png.length));
      const image = await fetch(`${app.url}${mediaPath(urls[0]!)}`);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect(image.headers.get('x-content-type-options')).toBe('nosniff');
      expect(image.headers.get('content-disposition')).toBe('inline; filename="receipt_2026.png"');
      expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);
      const file = await fetch(`${app.url}${mediaPath(urls[1]!)}`);
      expect(file.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
    });

    it('sends files without text as an MMS with no Body', async () => {
      const picture = await storeFile(png);
      const before = api.creations().length;
      const messageId = await requestDelivery({
        text: null,
        attachments: [{ storageKey: picture, contentType: 'image/png', sizeBytes: png.length }],
      });
      expect((await finalStatus(messageId)).payload.status).toBe('queued');
      const [creation] = api.creations().slice(before);
      expect(creation!.form.has('Body')).toBe(false);
      expect(creation!.form.getAll('MediaUrl')).toHaveLength(1);
    });

    it("refuses a forged, altered, expired or another workspace's media URL", async () => {
      const picture = await storeFile(png);
      const foreign = await storeFile(png, randomUUID());
      const tokens = new MmsMediaTokens(ENCRYPTION_KEY);
      const inAnHour = Math.floor(Date.now() / 1000) + 3_600;
      const grant = {
        workspaceId: DEFAULT_WORKSPACE_ID,
        storageKey: picture,
        contentType: 'image/png',
        fileName: null,
        expiresAt: inAnHour,
      };
      const valid = tokens.seal(grant);
      expect((await fetch(`${app.url}/sms/media/${valid}`)).status).toBe(200);
      const altered = valid.slice(0, -2) + (valid.endsWith('AA') ? 'BB' : 'AA');
      const refused = [
        'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA',
        altered,
        tokens.seal({ ...grant, expiresAt: Math.floor(Date.now() / 1000) - 1 }),
        // Sealed with our key, but naming another workspace's file under this workspace.
        tokens.seal({ ...grant, storageKey: foreign }),
        new MmsMediaTokens(randomBytes(32)).seal(grant),
      ];
      for (const token of refused) {
        const response = await fetch(`${app.url}/sms/media/${token}`);
        expect(response.status).toBe(404);
        expect(Buffer.from(await response.arrayBuffer()).includes(png.subarray(0, 16))).toBe(false);
      }
    });

    it("refuses before Twilio another workspace's file, a type MMS can't carry, and files over 5 MB", async () => {
      const before = api.creations().length;
      const foreign = await storeFile(png, randomUUID());
      const webp = Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'), randomBytes(100)]);
      const sticker = await storeFile(webp);
      const big = Buffer.concat([png.subarray(0, 16), Buffer.alloc(3_000_000)]);
      const [first, second] = [await storeFile(big), await storeFile(big)];
      const cases = [
        {
          code: 'attachment_not_available',
          attachments: [{ storageKey: foreign, contentType: 'image/png', sizeBytes: png.length }],
        },
        {
          code: 'attachment_type_not_supported',
          attachments: [
            {
              storageKey: sticker,
              contentType: 'image/webp',
              sizeBytes: webp.length,
              fileName: 'smile.webp',
            },
          ],
        },
        {
          code: 'attachments_too_large',
          attachments: [first, second].map((storageKey) => ({
            storageKey,
            contentType: 'image/png',
            sizeBytes: big.length,
          })),
        },
      ];
      for (const { code, attachments } of cases) {
        const messageId = await requestDelivery({ attachments });
        const status = await finalStatus(messageId);
        expect(status.payload).toMatchObject({ status: 'failed', errorCode: code });
        expect(status.payload.errorMessage).toBeTruthy();
      }
      expect(api.creations().slice(before)).toHaveLength(0);
    });
  });

  describe('opt-out', () => {
    const customer = '+14155550177';

    it('STOP opts the number out (published for history) and replies to it are refused before Twilio; START opts back in', async () => {
      const stop = inboundParams({ From: customer, Body: 'Stop' });
      expect((await sendInbound(stop)).status).toBe(200);
      const optOut = await waitFor(() =>
        inbound.find(
          (c) =>
            c.event.type === IdentityOptOutChangedV1.type &&
            c.event.payload.providerMessageId === stop.MessageSid,
        ),
      );
      expect(optOut.key).toBe(customer);
      expect(optOut.event.payload).toMatchObject({
        optedOut: true,
        keyword: 'STOP',
        identity: { kind: 'phone', address: customer },
      });
      // The message itself still reaches history (the agent sees the customer wrote STOP).
      await waitFor(() => inboundFor(stop.MessageSid).length === 1);

      const before = api.creations().length;
      const refused = await requestDelivery({ recipient: { kind: 'phone', address: '+1 (415) 555-0177' } });
      expect((await finalStatus(refused)).payload).toMatchObject({
        status: 'failed',
        errorCode: 'recipient_opted_out',
      });
      expect(api.creations().slice(before)).toHaveLength(0);

      const start = inboundParams({ From: customer, Body: 'START' });
      expect((await sendInbound(start)).status).toBe(200);
      await waitFor(() =>
        inbound.find(
          (c) =>
            c.event.type === IdentityOptOutChangedV1.type &&
            c.event.payload.providerMessageId === start.MessageSid,
        ),
      );
      const allowed = await requestDelivery({ recipient: { kind: 'phone', address: customer } });
      expect((await finalStatus(allowed)).payload.status).toBe('queued');
      expect(
        api
          .creations()
          .slice(before)
          .map((r) => r.form.get('To')),
      ).toEqual([customer]);
    });

    it('HELP answers with the help text in TwiML', async () => {
      await db.query(
        "UPDATE channels.sms_accounts SET help_text = 'Acme support: reply with your order number. STOP to opt out.'",
      );
      // The account cache lives a few seconds.
      await settle(5_500);
      const response = await sendInbound(inboundParams({ Body: 'help' }));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Acme support: reply with your order number. STOP to opt out.</Message></Response>',
      );
    });
  });
});
