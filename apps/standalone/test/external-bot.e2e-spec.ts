import 'reflect-metadata';
import { status } from '@grpc/grpc-js';
import type { RoutingDecisionView, SwitchboardClients, grpcV1 } from '@switchboard/contracts';
import {
  type AppProcess,
  type Standalone,
  collectStream,
  localSwitchboardClients,
  openWidgetCustomer,
  rpcFailure,
  signInToInboxApi,
  startStandalone,
  testRunId,
  unary,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';

const BROKERS = process.env.KAFKA_BROKERS ?? '';
// Long enough for a loaded machine to carry the customer's message to the test and its reply back.
const REPLY_SECONDS = 15;

interface Item {
  id: string;
  kind: string;
  dir: 'in' | 'out';
  text: string | null;
  author: { name: string | null; type: string } | null;
  form?: { kind: string; submitted?: boolean };
}

type Bots = SwitchboardClients['bots'];
type Event = grpcV1.Event__Output;

/**
 * An integrator's bot (ADR 0083) on the real Kafka broker and PostgreSQL, every service in the
 * standalone process, through the real gRPC API: the admin sets the web's bot to external in the
 * inbox; a web customer writes; routing holds the conversation (no agent looked for) and the
 * integrator sees the hold and the message on EventService; the built-in bot stays quiet; the
 * integrator answers as the bot (the customer sees the bot, routing's timeout stops), asks for a
 * card (the token, never the number, comes back on the feed), then hands off with a reason and a
 * note: the conversation reaches the agent with the reason, the note in its transcript. A
 * conversation the integrator never answers goes to people after ROUTING_BOT_REPLY_SECONDS.
 */
describe('standalone on Kafka: an external bot over gRPC', () => {
  let standalone: Standalone;
  let app: AppProcess;
  let db: pg.Pool;
  let clients: SwitchboardClients;
  let reader: SwitchboardClients;

  beforeAll(async () => {
    standalone = await startStandalone('standalone_external_bot', {
      readyTimeoutMs: 150_000,
      env: {
        KAFKA_BROKERS: BROKERS,
        KAFKA_TOPIC_PREFIX: `${testRunId()}.ext-bot-${randomUUID().slice(0, 8)}.`,
        ROUTING_BOT_REPLY_SECONDS: String(REPLY_SECONDS),
      },
    });
    app = standalone.app;
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
  }, 240_000);

  afterAll(async () => {
    clients?.close();
    reader?.close();
    await db?.end();
    await standalone?.close();
  });

  async function adminSession() {
    const session = await signInToInboxApi(standalone.app.url, standalone.admin);
    // A kept-alive connection the server closed while the test was busy elsewhere (a loaded
    // machine) resets the call: send it again on a new one (every call here is safe to repeat;
    // a second API key would be harmless).
    const call = (method: string, path: string, body?: unknown) =>
      session.call(method, path, body).catch(() => session.call(method, path, body));
    const me = (await (await call('GET', '/session')).json()) as {
      user: { id: string; workspaceId: string };
    };
    return { call, cookie: session.headers.cookie!, userId: me.user.id, workspaceId: me.user.workspaceId };
  }

  const customer = (widgetKey: string) => openWidgetCustomer<Item>(standalone.app.url, widgetKey);

  const bots = <Res>(c: SwitchboardClients, method: keyof Bots, request: object) =>
    unary<Bots, keyof Bots, object, Res>(c.bots, method, request);

  it('holds conversations for the integrator’s bot, which answers, asks for a card and hands off', async () => {
    const admin = await adminSession();
    const workspaceId = admin.workspaceId;
    // Agents online: the admin's inbox socket.
    const agentSocket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/ws/inbox`, {
      headers: { cookie: admin.cookie, origin: app.url },
    });
    await new Promise<void>((resolve, reject) => {
      agentSocket.once('open', () => resolve());
      agentSocket.once('error', reject);
    });
    const makeKey = async (scope: 'read' | 'read-write') => {
      const created = await admin.call('POST', '/admin/api-keys', { name: `bot ${scope}`, scope });
      expect(created.status).toBe(201);
      return localSwitchboardClients(
        Number(app.grpcAddress.split(':')[1]),
        ((await created.json()) as { key: string }).key,
      );
    };
    clients = await makeKey('read-write');
    reader = await makeKey('read');

    // The admin sets the web's bot to external in the inbox; gRPC reads it back.
    const set = await admin.call('PUT', '/admin/knowledge-base/channels/web', { mode: 'external' });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ channel: 'web', enabled: true, mode: 'external' });
    const refused = await admin.call('PUT', '/admin/knowledge-base/channels/web', { mode: 'robot' });
    expect(refused.status).toBe(400);
    const modes = await bots<grpcV1.ListChannelBotModesResponse__Output>(reader, 'ListChannelBotModes', {});
    expect(modes.channels).toEqual([{ channel: 'CHANNEL_WEB', mode: 'BOT_MODE_EXTERNAL' }]);
    expect(
      (await rpcFailure(bots(reader, 'SetChannelBotMode', { channel: 'CHANNEL_SMS', mode: 'BOT_MODE_OFF' })))
        .code,
    ).toBe(status.PERMISSION_DENIED);
    await waitFor(
      async () =>
        (
          await db.query("SELECT 1 FROM routing.bot_channels WHERE workspace_id = $1 AND channel = 'web'", [
            workspaceId,
          ])
        ).rowCount === 1,
      { what: 'routing learning a bot serves web', timeoutMs: 30_000 },
    );
    // The integrator's bot follows the feed from now on.
    const feed = collectStream<Event>(reader.events.Subscribe({ startAt: 'START_AT_LATEST' }));
    await new Promise((r) => setTimeout(r, 1_000));
    const settings = (await (await admin.call('GET', '/admin/channels/web')).json()) as { widgetKey: string };

    // 1. A customer writes: held for the external bot, seen on the feed.
    const dana = await customer(settings.widgetKey);
    dana.say('where is my order 1042?');
    const hold = await waitFor(
      () => feed.items.find((e) => e.type === 'EVENT_TYPE_BOT_HOLD_CHANGED' && e.botHoldChanged?.held),
      { what: 'the hold on the gRPC feed', timeoutMs: 60_000 },
    );
    const conversationId = hold.botHoldChanged!.conversationId;
    expect(hold.botHoldChanged).toMatchObject({
      channel: 'CHANNEL_WEB',
      reason: 'BOT_HAND_OFF_REASON_UNSPECIFIED',
    });
    const question = await waitFor(
      () =>
        feed.items.find(
          (e) =>
            e.messageAppended?.message?.conversationId === conversationId &&
            e.messageAppended.message.direction === 'MESSAGE_DIRECTION_INBOUND',
        ),
      { what: "the customer's message on the feed" },
    );
    expect(question.messageAppended!.message!.text).toBe('where is my order 1042?');
    const decision = async () =>
      (await (
        await admin.call('GET', `/conversations/${conversationId}/decision`)
      ).json()) as RoutingDecisionView;
    expect(await decision()).toMatchObject({ state: 'bot', agentId: null });
    // The widget offers a person before any answer.
    await waitFor(() => dana.items.find((i) => i.kind === 'bot'), { what: 'the widget told of the hold' });
    // The built-in bot does not take it.
    expect(
      (await db.query('SELECT 1 FROM bot.conversations WHERE conversation_id = $1', [conversationId]))
        .rowCount,
    ).toBe(0);

    // 2. The integrator answers as the bot: the customer sees the bot, nobody is looked for.
    const answered = await bots<grpcV1.SendBotMessageResponse__Output>(clients, 'SendBotMessage', {
      requestId: 'order-1042-status',
      conversationId,
      text: 'Order 1042 left our warehouse this morning.',
      senderName: 'Order bot',
    });
    expect(answered.created).toBe(true);
    const again = await bots<grpcV1.SendBotMessageResponse__Output>(clients, 'SendBotMessage', {
      requestId: 'order-1042-status',
      conversationId,
      text: 'Order 1042 left our warehouse this morning.',
    });
    expect(again).toEqual({ messageId: answered.messageId, created: false });
    const reply = await waitFor(
      () =>
        dana.items.find((i) => i.dir === 'out' && i.text === 'Order 1042 left our warehouse this morning.'),
      { what: 'the bot reply in the widget', timeoutMs: 30_000 },
    );
    expect(reply.author).toMatchObject({ type: 'bot', name: 'Order bot' });
    // Routing took it as the bot's reply (no deadline left), and past the deadline the
    // conversation is still with the bot.
    await waitFor(
      async () =>
        (
          (await (await admin.call('GET', '/bot-conversations')).json()) as {
            conversationId: string;
            replyDeadline: string | null;
          }[]
        ).some((c) => c.conversationId === conversationId && c.replyDeadline === null),
      { what: 'routing disarming the reply deadline', timeoutMs: 30_000 },
    );
    await new Promise((r) => setTimeout(r, (REPLY_SECONDS + 1) * 1000));
    expect((await decision()).state).toBe('bot');

    // 3. It asks for a card: the form reaches the widget; the customer's token reaches the feed.
    const form = await bots<grpcV1.SendBotMessageResponse__Output>(clients, 'RequestCardForm', {
      requestId: 'order-1042-pay',
      conversationId,
    });
    const formItem = await waitFor(() => dana.items.find((i) => i.id === form.messageId), {
      what: 'the card form in the widget',
      timeoutMs: 30_000,
    });
    expect(formItem).toMatchObject({ form: { kind: 'card' }, text: 'Please enter your card details below.' });
    dana.socket.send(
      JSON.stringify({
        t: 'card',
        id: randomUUID(),
        formId: form.messageId,
        token: 'tok_test_visa_abc',
        last4: '4242',
        brand: 'visa',
      }),
    );
    const card = await waitFor(
      () => feed.items.find((e) => e.messageAppended?.cardSubmitted?.token === 'tok_test_visa_abc'),
      { what: 'the card token on the feed', timeoutMs: 30_000 },
    );
    expect(card.messageAppended).toMatchObject({
      cardSubmitted: { formMessageId: form.messageId, last4: '4242', brand: 'visa' },
      message: { text: 'Card •••• 4242 submitted', conversationId },
    });

    // Refused: a read key, a bad reason, another workspace's view of the id.
    expect(
      (
        await rpcFailure(
          bots(reader, 'HandOff', { conversationId, reason: 'BOT_HAND_OFF_REASON_NOT_HELPFUL' }),
        )
      ).code,
    ).toBe(status.PERMISSION_DENIED);
    const bad = await rpcFailure(
      bots(clients, 'HandOff', { conversationId, reason: 'BOT_HAND_OFF_REASON_BOT_TIMEOUT' }),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(
      (
        await rpcFailure(
          bots(clients, 'SendBotMessage', { requestId: 'x', conversationId: randomUUID(), text: 'hi' }),
        )
      ).code,
    ).toBe(status.NOT_FOUND);

    // 4. Hand-off with a reason and a note: to the online agent, the note in the transcript.
    const handedAt = Date.now();
    await bots(clients, 'HandOff', {
      conversationId,
      reason: 'BOT_HAND_OFF_REASON_ASKED_FOR_PERSON',
      note: 'Paid for order 1042; wants to change the address.',
    });
    const assigned = await waitFor(
      async () => {
        const d = await decision();
        return d.state === 'assigned' ? d : undefined;
      },
      { what: 'the hand-off reaching the agent', timeoutMs: 60_000 },
    );
    expect(assigned).toMatchObject({ agentId: admin.userId, handoff: { reason: 'asked_for_person' } });
    expect(assigned.explanation?.reason).toMatch(/customer asked for a person/);
    expect(Date.parse(assigned.handoff!.handedOffAt)).toBeGreaterThanOrEqual(handedAt - 1_000);
    const released = await waitFor(
      () =>
        feed.items.find(
          (e) => e.botHoldChanged?.conversationId === conversationId && e.botHoldChanged.held === false,
        ),
      { what: 'the release on the feed' },
    );
    expect(released.botHoldChanged!.reason).toBe('BOT_HAND_OFF_REASON_ASKED_FOR_PERSON');
    // The widget's offer of a person goes with the hold.
    await waitFor(() => dana.items.find((i) => i.kind === 'bot_released'), {
      what: 'the widget told of the release',
    });
    const detail = (await (await admin.call('GET', `/conversations/${conversationId}`)).json()) as {
      timeline: { items: { text: string | null; direction: string; sender: { type: string } }[] };
    };
    expect(detail.timeline.items.map((m) => `${m.direction} ${m.sender.type}: ${m.text}`)).toEqual(
      expect.arrayContaining([
        'out bot: Order 1042 left our warehouse this morning.',
        'note bot: Paid for order 1042; wants to change the address.',
        'in customer: Card •••• 4242 submitted',
      ]),
    );
    // No longer held: the bot may not write there any more.
    expect(
      (
        await rpcFailure(
          bots(clients, 'SendBotMessage', { requestId: 'late', conversationId, text: 'Anything else?' }),
        )
      ).code,
    ).toBe(status.FAILED_PRECONDITION);

    // 5. An integrator that says nothing: people get the conversation after the reply deadline.
    const eli = await customer(settings.widgetKey);
    const wroteAt = Date.now();
    eli.say('hello?');
    const eliHold = await waitFor(
      () =>
        feed.items.find(
          (e) => e.botHoldChanged?.held === true && e.botHoldChanged.conversationId !== conversationId,
        ),
      { what: 'the second hold', timeoutMs: 60_000 },
    );
    const timedOut = await waitFor(
      () =>
        feed.items.find(
          (e) =>
            e.botHoldChanged?.conversationId === eliHold.botHoldChanged!.conversationId &&
            e.botHoldChanged.held === false,
        ),
      { what: 'the timeout hand-off', timeoutMs: 60_000 },
    );
    expect(timedOut.botHoldChanged!.reason).toBe('BOT_HAND_OFF_REASON_BOT_TIMEOUT');
    expect(Date.now() - wroteAt).toBeGreaterThanOrEqual(REPLY_SECONDS * 1000 - 1_000);

    feed.cancel();
    agentSocket.close();
    dana.socket.close();
    eli.socket.close();
  }, 300_000);
});
