import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { createSwitchboardClients, type grpcV1, type SwitchboardClients } from '@switchboard/contracts';
import { type GrpcurlCommand, ReflectingCaller, grpcurlCommands } from './grpcurl.util.js';
import {
  type AppProcess,
  type TestDatabase,
  type TwilioApiServer,
  collectStream,
  createTestDatabase,
  rpcFailure,
  signedTwilioWebhook,
  startAppProcess,
  startTwilioApiServer,
  testRunId,
  twilioInboundSmsParams,
  unary,
  waitFor,
} from '@switchboard/testing';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://switchboard.example.test';
const CUSTOMER = '+14155550123';
const QUITTER = '+14155550177';

const execFileAsync = promisify(execFile);

/**
 * The gRPC API as an integrator meets it: the built standalone process on the real Kafka and
 * PostgreSQL, a key made with `npm run apikey`, a real grpc-js client. A text to an SMS customer
 * reaches the loopback Twilio REST API through the real `twilio` client; the event stream shows
 * the conversation; another workspace's key sees nothing; an opted-out number is refused.
 */
describe('gRPC API in the standalone process', () => {
  let database: TestDatabase;
  let twilioApi: TwilioApiServer;
  let app: AppProcess;
  let clients: SwitchboardClients;
  let strangers: SwitchboardClients;
  let key: string;

  const apikey = async (args: string[]) =>
    (
      await execFileAsync(process.execPath, ['dist/apps/grpc-api/src/api-keys/api-key.cli.js', ...args], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url },
      })
    ).stdout.trim();
  const sms = async (from: string, body: string) => {
    const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, from, { Body: body });
    const { headers, body: form } = signedTwilioWebhook(
      AUTH_TOKEN,
      `${PUBLIC_BASE_URL}/webhooks/twilio/sms`,
      params,
    );
    const response = await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', headers, body: form });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    database = await createTestDatabase('grpc_standalone');
    twilioApi = await startTwilioApiServer({ [ACCOUNT_SID]: AUTH_TOKEN });
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: `${testRunId()}.grpc-e2e-${randomUUID().slice(0, 8)}.`,
      KAFKA_PARTITIONS: '2',
      PUBLIC_BASE_URL,
      TWILIO_API_BASE_URL: twilioApi.url,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    await app.waitUntilReady(90_000);
    key = await apikey(['create', '--name', 'Order system', '--scope', 'read-write']);
    expect(key).toMatch(/^sbk_/);
    const strangerKey = await apikey([
      'create',
      '--workspace',
      randomUUID(),
      '--name',
      'x',
      '--scope',
      'read',
    ]);
    clients = createSwitchboardClients({
      address: app.grpcAddress,
      apiKey: key,
      credentials: credentials.createInsecure(),
    });
    strangers = createSwitchboardClients({
      address: app.grpcAddress,
      apiKey: strangerKey,
      credentials: credentials.createInsecure(),
    });
  }, 180_000);

  afterAll(async () => {
    clients?.close();
    strangers?.close();
    await app?.stop('SIGTERM');
    await twilioApi?.close();
    await database?.drop();
  });

  it('sends to an SMS customer through Twilio, and streams the conversation as it happens', async () => {
    const stream = collectStream<grpcV1.Event__Output>(
      clients.events.Subscribe({ startAt: 'START_AT_EARLIEST' }),
    );
    await sms(CUSTOMER, 'Where is my order?');
    const inbound = await waitFor(
      () => stream.items.find((e) => e.messageAppended?.message?.direction === 'MESSAGE_DIRECTION_INBOUND'),
      { what: 'the inbound message on the event stream', timeoutMs: 30_000 },
    );
    const conversationId = inbound.messageAppended!.message!.conversationId;

    const sent = await unary<
      SwitchboardClients['conversations'],
      'SendMessage',
      object,
      grpcV1.SendMessageResponse__Output
    >(clients.conversations, 'SendMessage', {
      requestId: 'order-1042',
      identity: { kind: 'IDENTITY_KIND_PHONE', value: '+1 (415) 555-0123' },
      channel: 'CHANNEL_SMS',
      text: 'It ships today.',
    });
    expect(sent).toMatchObject({ conversationId, created: true, channel: 'CHANNEL_SMS' });
    const creation = await waitFor(
      () => twilioApi.creations().find((r) => r.form.get('Body') === 'It ships today.'),
      { what: 'the reply at the Twilio API', timeoutMs: 30_000 },
    );
    expect(creation.form.get('To')).toBe(CUSTOMER);
    expect(creation.form.get('From')).toBe(OUR_NUMBER);

    // The same request id again sends nothing more.
    const again = await unary<
      SwitchboardClients['conversations'],
      'SendMessage',
      object,
      grpcV1.SendMessageResponse__Output
    >(clients.conversations, 'SendMessage', {
      requestId: 'order-1042',
      customerId: sent.customerId,
      channel: 'CHANNEL_SMS',
      text: 'It ships today.',
    });
    expect(again).toMatchObject({ messageId: sent.messageId, created: false });
    await waitFor(() => stream.items.some((e) => e.messageAppended?.message?.id === sent.messageId), {
      what: 'the reply on the event stream',
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(twilioApi.creations().filter((r) => r.form.get('Body') === 'It ships today.')).toHaveLength(1);
    stream.cancel();

    const conversation = await unary<
      SwitchboardClients['conversations'],
      'GetConversation',
      object,
      grpcV1.Conversation__Output
    >(clients.conversations, 'GetConversation', { conversationId });
    expect(conversation).toMatchObject({
      id: conversationId,
      channel: 'CHANNEL_SMS',
      status: 'CONVERSATION_STATUS_OPEN',
    });
    // Another workspace's key: the conversation and the customer do not exist for it.
    expect(
      (await rpcFailure(unary(strangers.conversations, 'GetConversation', { conversationId }))).codeName,
    ).toBe('NOT_FOUND');
    expect(
      (await rpcFailure(unary(strangers.customers, 'GetCustomer', { customerId: sent.customerId }))).codeName,
    ).toBe('NOT_FOUND');
    expect(
      (
        await rpcFailure(
          unary(strangers.conversations, 'SendMessage', { requestId: 'x', conversationId, text: 'hi' }),
        )
      ).codeName,
    ).toBe('PERMISSION_DENIED');
  });

  it("sends a first message to a number that never texted, from the workspace's number", async () => {
    const stream = collectStream<grpcV1.Event__Output>(
      clients.events.Subscribe({ startAt: 'START_AT_EARLIEST' }),
    );
    const sent = await unary<
      SwitchboardClients['conversations'],
      'SendMessage',
      object,
      grpcV1.SendMessageResponse__Output
    >(clients.conversations, 'SendMessage', {
      requestId: 'welcome-0177',
      identity: { kind: 'IDENTITY_KIND_PHONE', value: '+14155550177' },
      channel: 'CHANNEL_SMS',
      text: 'Welcome aboard.',
    });
    expect(sent).toMatchObject({ created: true, channel: 'CHANNEL_SMS' });
    const creation = await waitFor(
      () => twilioApi.creations().find((r) => r.form.get('Body') === 'Welcome aboard.'),
      { what: 'the first message at the Twilio API', timeoutMs: 30_000 },
    );
    expect(creation.form.get('To')).toBe('+14155550177');
    expect(creation.form.get('From')).toBe(OUR_NUMBER);
    // Twilio's answer comes back as the message's status, naming the account it went from.
    const queued = await waitFor(
      () =>
        stream.items.find(
          (e) =>
            e.deliveryStatusChanged?.messageId === sent.messageId &&
            e.deliveryStatusChanged.status === 'DELIVERY_STATUS_QUEUED',
        ),
      { what: 'the queued status on the event stream', timeoutMs: 30_000 },
    );
    expect(queued.deliveryStatusChanged!.channelAccountId).not.toBe('');
    stream.cancel();
  });

  it('refuses to write to a number that texted STOP: FAILED_PRECONDITION', async () => {
    await sms(QUITTER, 'Hi');
    await sms(QUITTER, 'STOP');
    const found = await waitFor(
      async () => {
        const page = await unary<
          SwitchboardClients['customers'],
          'FindCustomers',
          object,
          grpcV1.FindCustomersResponse__Output
        >(clients.customers, 'FindCustomers', { identity: { kind: 'IDENTITY_KIND_PHONE', value: QUITTER } });
        const identity = page.customers[0]?.identities.find((i) => i.value === QUITTER);
        return identity?.optedOut ? page.customers[0] : undefined;
      },
      { what: 'the opt-out recorded', timeoutMs: 30_000 },
    );
    const refused = await rpcFailure(
      unary(clients.conversations, 'SendMessage', {
        requestId: 'promo-1',
        customerId: found.id,
        channel: 'CHANNEL_SMS',
        text: 'Sale!',
      }),
    );
    expect(refused.codeName).toBe('FAILED_PRECONDITION');
    expect(
      twilioApi.creations().some((r) => r.form.get('To') === QUITTER && r.form.get('Body') === 'Sale!'),
    ).toBe(false);
  });
  it("runs every grpcurl example of the integrator's guide, knowing the API only by reflection", async () => {
    const commands = grpcurlCommands(readFileSync('docs/grpc.md', 'utf8'), { KEY: key });
    expect(commands.length).toBeGreaterThanOrEqual(10);
    const caller = new ReflectingCaller(app.grpcAddress);
    // The guide writes "…" for ids an earlier example gives; they are filled in as they appear.
    const known = new Map<string, string>();
    const placeholders = (c: GrpcurlCommand) =>
      [...(c.data ?? '').matchAll(/"(\w+)": "…"/g)].map((m) => m[1]!);
    const learn = (method: string, answer: Record<string, unknown>) => {
      const text = (field: string) => answer[field] as string;
      if (method.endsWith('/SendMessage')) {
        known.set('customer_id', text('customer_id'));
        known.set('conversation_id', text('conversation_id'));
      }
      if (method.endsWith('/FindCustomers')) {
        const customers = answer.customers as { id: string }[];
        expect(customers.map((c) => c.id)).toEqual([known.get('customer_id')]);
      }
      if (method.endsWith('/CreateQueue')) known.set('queue_id', text('id'));
    };
    try {
      let pending = commands;
      while (pending.length > 0) {
        const ready = pending.filter((c) => placeholders(c).every((field) => known.has(field)));
        expect(ready.map((c) => c.text)).not.toEqual([]);
        for (const command of ready) {
          if (command.verb === 'list') {
            expect(await caller.listServices()).toEqual(
              expect.arrayContaining(['switchboard.v1.ConversationService', 'grpc.health.v1.Health']),
            );
          } else if (command.verb === 'describe') {
            expect((await caller.describe(command.target!)).fullName).toBe(`.${command.target!}`);
          } else {
            const data = placeholders(command).reduce(
              (json, field) => json.replace(`"${field}": "…"`, `"${field}": "${known.get(field)!}"`),
              command.data ?? '{}',
            );
            // A bot's calls need a conversation the bot holds (ADR 0083); the one the guide's
            // earlier examples opened is an agent's. Refused for that reason only, after reflection
            // parsed the example and the server checked it: external-bot.e2e-spec covers the rest.
            if (BOT_CALLS_ON_A_HELD_CONVERSATION.has(command.target!)) {
              await expect(caller.call(command.target!, data, command.headers)).rejects.toThrow(
                /FAILED_PRECONDITION: the conversation is not held for a bot/,
              );
              continue;
            }
            const [answer] = await caller
              .call(command.target!, data, command.headers)
              .catch((error: Error) => fail(`${command.text}\n→ ${error.message}`));
            if (command.target === 'grpc.health.v1.Health/Check') expect(answer!.status).toBe('SERVING');
            learn(command.target!, answer!);
          }
        }
        pending = pending.filter((c) => !ready.includes(c));
      }
    } finally {
      caller.close();
    }
  });
});

const BOT_CALLS_ON_A_HELD_CONVERSATION = new Set([
  'switchboard.v1.BotService/SendBotMessage',
  'switchboard.v1.BotService/HandOff',
  'switchboard.v1.BotService/RequestCardForm',
]);

function fail(message: string): never {
  throw new Error(message);
}
