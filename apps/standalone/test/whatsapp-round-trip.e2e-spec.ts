import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { type SwitchboardClients, createSwitchboardClients, type grpcV1 } from '@switchboard/contracts';
import {
  type AppProcess,
  type GraphApiServer,
  STANDALONE_PUBLIC_BASE_URL,
  type StandaloneWithSms,
  type TestDatabase,
  type TwilioApiServer,
  emitAgentReply,
  newTwilioAccount,
  postMetaWebhook,
  rpcFailure,
  startGraphApiServer,
  startStandaloneWithSms,
  startTwilioApiServer,
  testKafka,
  twilioInboundSmsParams,
  unary,
  waitFor,
  whatsAppInbound,
  whatsAppStatus,
} from '@switchboard/testing';
import pg from 'pg';

const APP_SECRET = randomBytes(16).toString('hex');
const WA_TOKEN = `EAAG${randomBytes(20).toString('hex')}`;
const PHONE_NUMBER_ID = '106540352242922';
const WA_ID = '14155550177';
const CUSTOMER = `+${WA_ID}`;
const WABA_ID = '102290129340398';

/**
 * WhatsApp through the whole platform in one process on Kafka: a customer's WhatsApp message
 * reaches history under their phone number with their profile name, an agent's reply (asked for on
 * `outbound-requests`, as the inbox and the gRPC API do) goes out through the Graph API, Meta's
 * `read` becomes its delivery status, and the same person's SMS lands on the same customer.
 */
describe('standalone: a WhatsApp round trip', () => {
  const kafka = testKafka('whatsapp');
  const account = newTwilioAccount();
  let standalone: StandaloneWithSms;
  let app: AppProcess;
  let database: TestDatabase;
  let db: pg.Pool;
  let graph: GraphApiServer;
  let twilioApi: TwilioApiServer;
  let clients: SwitchboardClients | undefined;

  const postMeta = (body: unknown) => postMetaWebhook(app.url, body, APP_SECRET);
  const messageRow = (providerMessageId: string) =>
    db
      .query<{ customer_id: string; channel: string; text: string }>(
        'SELECT customer_id, channel, text FROM history.messages WHERE provider_message_id = $1',
        [providerMessageId],
      )
      .then((r) => r.rows[0]);

  beforeAll(async () => {
    graph = await startGraphApiServer([WA_TOKEN]);
    twilioApi = await startTwilioApiServer({ [account.accountSid]: account.authToken });
    standalone = await startStandaloneWithSms('standalone_whatsapp', {
      twilioAccount: account,
      env: {
        ...kafka.env,
        TWILIO_API_BASE_URL: twilioApi.url,
        META_GRAPH_API_BASE_URL: graph.url,
        META_APP_SECRET: APP_SECRET,
        META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
        WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
      },
    });
    ({ app, database } = standalone);
    db = new pg.Pool({ connectionString: database.url, max: 2 });
  }, 180_000);

  afterAll(async () => {
    clients?.close();
    await db?.end();
    await standalone?.close();
    await kafka.bus.close();
    await graph?.close();
    await twilioApi?.close();
  });

  it('keeps the WhatsApp message, sends the reply through the Graph API, records its read, and joins the same number’s SMS', async () => {
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    const inbound = whatsAppInbound({
      phoneNumberId: PHONE_NUMBER_ID,
      from: WA_ID,
      name: 'Inès Moreau',
      messages: [{ id: wamid, type: 'text', text: { body: 'Bonjour, où est ma commande ?' } }],
    });
    expect((await postMeta(inbound)).status).toBe(200);
    const received = await waitFor(() => messageRow(wamid), {
      what: 'the WhatsApp message in history',
      timeoutMs: 60_000,
    });
    expect(received.channel).toBe('whatsapp');
    const identity = await db.query<{ kind: string; value: string }>(
      'SELECT kind, value FROM history.identities WHERE customer_id = $1',
      [received.customer_id],
    );
    expect(identity.rows).toContainEqual(expect.objectContaining({ kind: 'phone', value: CUSTOMER }));

    await emitAgentReply(kafka.bus, received.customer_id, 'Elle part aujourd’hui.');
    const send = await waitFor(() => graph.sends().find((r) => r.json?.to === WA_ID), {
      what: 'the reply at the Graph API',
      timeoutMs: 60_000,
    });
    expect(send.json).toMatchObject({
      messaging_product: 'whatsapp',
      type: 'text',
      text: { body: 'Elle part aujourd’hui.' },
    });
    const reply = await waitFor(
      async () =>
        (
          await db.query<{ provider_message_id: string | null; delivery_status: string | null }>(
            `SELECT provider_message_id, delivery_status FROM history.messages WHERE direction = 'out' AND text = $1`,
            ['Elle part aujourd’hui.'],
          )
        ).rows.find((r) => r.delivery_status === 'sent'),
      { what: 'the reply sent in history', timeoutMs: 60_000 },
    );
    expect(reply.provider_message_id).toMatch(/^wamid\./);

    expect(
      (
        await postMeta(
          whatsAppStatus(PHONE_NUMBER_ID, [
            { id: reply.provider_message_id!, status: 'read', recipient: WA_ID },
          ]),
        )
      ).status,
    ).toBe(200);
    await waitFor(
      async () =>
        (
          await db.query<{ delivery_status: string }>(
            `SELECT delivery_status FROM history.messages WHERE direction = 'out' AND text = $1`,
            ['Elle part aujourd’hui.'],
          )
        ).rows[0]?.delivery_status === 'read',
      { what: 'the reply read in history', timeoutMs: 60_000 },
    );

    const sms = twilioInboundSmsParams(account.accountSid, standalone.twilio.number, CUSTOMER, {
      Body: 'Same person, by SMS',
    });
    expect(await standalone.postTwilio(`${STANDALONE_PUBLIC_BASE_URL}/webhooks/twilio/sms`, sms)).toBe(200);
    const bySms = await waitFor(() => messageRow(sms.MessageSid), {
      what: 'the SMS in history',
      timeoutMs: 60_000,
    });
    expect(bySms.channel).toBe('sms');
    expect(bySms.customer_id).toBe(received.customer_id);
  }, 240_000);

  it('answers gRPC SendMessage FAILED_PRECONDITION outside WhatsApp’s window, lists the templates and sends one', async () => {
    const key = (
      await promisify(execFile)(
        process.execPath,
        [
          'dist/apps/grpc-api/src/api-keys/api-key.cli.js',
          'create',
          '--name',
          'CRM',
          '--scope',
          'read-write',
        ],
        { env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url } },
      )
    ).stdout.trim();
    clients = createSwitchboardClients({
      address: app.grpcAddress,
      apiKey: key,
      credentials: credentials.createInsecure(),
    });
    const conversations = clients.conversations;
    const waId = '14155550166';
    // A customer wrote on WhatsApp 25 hours ago (their webhook named the number's business account).
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    expect(
      (
        await postMeta(
          whatsAppInbound({
            phoneNumberId: PHONE_NUMBER_ID,
            businessAccountId: WABA_ID,
            from: waId,
            messages: [{ id: wamid, type: 'text', text: { body: 'Any news?' } }],
          }),
        )
      ).status,
    ).toBe(200);
    await waitFor(() => messageRow(wamid), { what: 'the message in history', timeoutMs: 60_000 });
    await db.query(
      `UPDATE history.messages SET received_at = received_at - interval '25 hours' WHERE provider_message_id = $1`,
      [wamid],
    );
    const identity = { kind: 'IDENTITY_KIND_PHONE', value: `+${waId}` };

    const refused = await rpcFailure(
      unary(conversations, 'SendMessage', {
        requestId: 'late-text',
        identity,
        channel: 'CHANNEL_WHATSAPP',
        text: 'Still there?',
      }),
    );
    expect(refused.codeName).toBe('FAILED_PRECONDITION');
    expect(refused.details).toMatch(/24 hours.*template/);

    graph.setTemplates(WABA_ID, [
      { name: 'order_update', language: 'en_US', body: 'Hello {{1}}, your order {{2}} has shipped.' },
    ]);
    const listed = await unary<
      SwitchboardClients['conversations'],
      'ListMessageTemplates',
      object,
      grpcV1.ListMessageTemplatesResponse__Output
    >(conversations, 'ListMessageTemplates', {});
    expect(listed.templates).toEqual([
      {
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        body: 'Hello {{1}}, your order {{2}} has shipped.',
        parameterCount: 2,
      },
    ]);

    const sent = await unary<
      SwitchboardClients['conversations'],
      'SendMessage',
      object,
      grpcV1.SendMessageResponse__Output
    >(conversations, 'SendMessage', {
      requestId: 'late-template',
      identity,
      channel: 'CHANNEL_WHATSAPP',
      template: { name: 'order_update', language: 'en_US', parameters: ['Zoë', 'A-17'] },
    });
    expect(sent.created).toBe(true);
    const send = await waitFor(
      () => graph.sends().find((r) => r.json?.to === waId && r.json.type === 'template'),
      { what: 'the template at the Graph API', timeoutMs: 60_000 },
    );
    expect(send.json).toMatchObject({
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ text: 'Zoë' }, { text: 'A-17' }] }],
      },
    });
  }, 240_000);
});
