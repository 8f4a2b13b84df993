import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import {
  DEFAULT_WORKSPACE_ID,
  HISTORY_API,
  KNOWLEDGE_BASE_API,
  CONVERSATION_METRICS,
  QUEUE_METRICS,
  REPORTING_API,
  ROUTING_API,
  Topics,
  WEB_CHANNEL_API,
  type HistoryApi,
  type KnowledgeBaseApi,
  type ReportQuery,
  type ReportingApi,
  type RoutingApi,
  type RoutingDecisionView,
  type WebChannelApi,
} from '@switchboard/contracts';
import { Clock, configureHttpApp } from '@switchboard/platform';
import {
  SettableClock,
  type TestDatabase,
  type TwilioApiServer,
  type WidgetCustomer,
  createTestDatabase,
  groupCaughtUp,
  newTwilioAccount,
  openWidgetCustomer,
  signedTwilioWebhook,
  startTwilioApiServer,
  testKafka,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import pg from 'pg';
import { StandaloneModule } from '../src/standalone.module.js';

/** Monday 2 March 2026 in Paris (UTC+1 until the end of March): local `HH:MM[:SS]` as an ISO instant. */
function paris(hhmm: string): string {
  const [h = 0, m = 0, s = 0] = hhmm.split(':').map(Number);
  return new Date(Date.UTC(2026, 2, 2, h - 1, m, s)).toISOString();
}

const PUBLIC_BASE_URL = 'https://switchboard.example.test';
const OUR_NUMBER = '+14155550100';
const A = 'agent-ada';
const B = 'agent-bo';

/**
 * Issue 19's scripted day through the real services (ADR 0120): every service module in one
 * process as the standalone app composes them, on the real Kafka broker and PostgreSQL, on one
 * settable clock. Customers text the Twilio number (signed webhooks) and write from the widget;
 * history opens the conversations and stores the replies; routing assigns them by queue, presence
 * and capacity; the answer bot holds, answers and hands off; agents reply and resolve through
 * history's API, as the inbox does; one conversation is reopened by an agent's follow-up, one is
 * closed before anyone answered (abandoned), one the bot answers alone; widget customers rate.
 * The clock stands still at each step until everything that step sets off has happened, so every
 * stamp is known and the figures are worked out by hand in the comments.
 *
 * Routing's timers: their deadlines are read on the clock, but what wakes them is a real timer, so
 * the day sets none a step of the clock would pass (queues without steps, auto mode, no preferred
 * agent, presence through RoutingApi rather than sockets, the bot's reply deadline an hour long, and
 * the bot always answers within the step the customer wrote in).
 */
describe('a scripted day through the real services, on Kafka and PostgreSQL', () => {
  const workspaceId = DEFAULT_WORKSPACE_ID;
  const kafka = testKafka('scripted-day');
  const clock = new SettableClock(paris('07:00'));
  const twilioAccount = newTwilioAccount();
  let database: TestDatabase;
  let dataDir: string;
  let twilioApi: TwilioApiServer;
  let app: INestApplication;
  let url: string;
  let db: pg.Pool;
  let history: HistoryApi;
  let routing: RoutingApi;
  let reports: ReportingApi;
  let kb: KnowledgeBaseApi;
  let widgetKey: string;
  const widgets: WidgetCustomer<Record<string, unknown>>[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('scripted_day_services');
    dataDir = await mkdtemp(join(tmpdir(), 'scripted-day-'));
    twilioApi = await startTwilioApiServer({ [twilioAccount.accountSid]: twilioAccount.authToken });
    const moduleRef = await Test.createTestingModule({
      imports: [
        StandaloneModule.forRoot({
          LOG_LEVEL: 'warn',
          DATABASE_URL: database.url,
          SWITCHBOARD_DATA_DIR: dataDir,
          PUBLIC_BASE_URL,
          SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          ADMIN_EMAIL: 'owner@example.test',
          ADMIN_PASSWORD: 'owner password 123',
          GRPC_PORT: '0',
          GRPC_HOST: '127.0.0.1',
          TWILIO_ACCOUNT_SID: twilioAccount.accountSid,
          TWILIO_AUTH_TOKEN: twilioAccount.authToken,
          TWILIO_PHONE_NUMBER: OUR_NUMBER,
          TWILIO_API_BASE_URL: twilioApi.url,
          ROUTING_BOT_REPLY_SECONDS: '3600',
          BOT_ANSWER_THRESHOLD: '0.4',
          ...kafka.env,
        }),
      ],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    // As runHttpService serves it: raw bodies for the webhook's signature, the widget's socket.
    app = moduleRef.createNestApplication<NestExpressApplication>({ rawBody: true, logger: false });
    configureHttpApp(app);
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    db = new pg.Pool({ connectionString: database.url, max: 2 });
    history = app.get<HistoryApi>(HISTORY_API);
    routing = app.get<RoutingApi>(ROUTING_API);
    reports = app.get<ReportingApi>(REPORTING_API);
    kb = app.get<KnowledgeBaseApi>(KNOWLEDGE_BASE_API);
    widgetKey = (await app.get<WebChannelApi>(WEB_CHANNEL_API).getWidgetSettings(workspaceId)).widgetKey;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(
      widgets.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.socket.readyState === w.socket.CLOSED) return resolve();
            w.socket.once('close', () => resolve());
            w.socket.close();
          }),
      ),
    );
    await app?.close();
    await kafka.bus.close();
    await db?.end();
    await twilioApi?.close();
    await database?.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  /** The clock moves to local `hhmm`; everything stamped until the next move is stamped then. */
  const at = (hhmm: string) => clock.set(paris(hhmm));

  const seen = new Set<string>();
  /** The conversation history opened since the last one this test saw (one at a time). */
  async function newConversation(): Promise<string> {
    const id = await waitFor(
      async () =>
        (
          await db.query<{ id: string }>('SELECT id FROM history.conversations WHERE workspace_id = $1', [
            workspaceId,
          ])
        ).rows
          .map((r) => r.id)
          .find((c) => !seen.has(c)),
      { what: 'the conversation in history', timeoutMs: 30_000 },
    );
    seen.add(id);
    return id;
  }

  /** A customer texts our number: the webhook Twilio sends, signed, answered 200 once published. */
  async function text(from: string, body: string): Promise<void> {
    const path = '/webhooks/twilio/sms';
    const params = twilioInboundSmsParams(twilioAccount.accountSid, OUR_NUMBER, from, { Body: body });
    const signed = signedTwilioWebhook(twilioAccount.authToken, `${PUBLIC_BASE_URL}${path}`, params);
    const response = await fetch(`${url}${path}`, { method: 'POST', ...signed });
    expect(response.status).toBe(200);
  }

  async function widgetCustomer(): Promise<WidgetCustomer<Record<string, unknown>>> {
    const customer = await openWidgetCustomer(url, widgetKey);
    widgets.push(customer);
    return customer;
  }

  async function decided(
    conversationId: string,
    state: RoutingDecisionView['state'],
    agentId: string | null = null,
  ): Promise<RoutingDecisionView> {
    return waitFor(
      async () => {
        const d = await routing.getDecision(workspaceId, conversationId);
        return d.state === state && (agentId === null || d.agentId === agentId) ? d : null;
      },
      { what: `routing: ${conversationId} ${state}${agentId ? ` to ${agentId}` : ''}`, timeoutMs: 30_000 },
    );
  }

  async function presence(agentId: string, state: 'online' | 'offline'): Promise<void> {
    await routing.setPresence(workspaceId, agentId, state, 'agent');
    // The owner has applied it: what it persisted says so.
    await waitFor(async () => (await routing.getAgent(workspaceId, agentId)).presence === state, {
      what: `${agentId} ${state} in routing`,
      timeoutMs: 30_000,
    });
  }

  async function reply(conversationId: string, agentId: string, words: string): Promise<void> {
    await history.sendMessage(workspaceId, {
      idempotencyKey: randomUUID(),
      conversationId,
      text: words,
      sender: { type: 'agent', id: agentId },
    });
  }

  async function resolve(conversationId: string, agentId: string): Promise<void> {
    await history.setConversationStatus(workspaceId, conversationId, 'resolved', {
      type: 'agent',
      id: agentId,
    });
    await decided(conversationId, 'resolved');
  }

  /** Messages history stored in the conversation, by sender type. */
  async function storedBy(conversationId: string, type: string): Promise<number> {
    const messages = await history.listMessages(workspaceId, conversationId, {});
    return messages.filter((m) => m.sender.type === type).length;
  }

  async function botAnswered(conversationId: string): Promise<void> {
    await waitFor(async () => (await storedBy(conversationId, 'bot')) > 0, {
      what: 'the bot’s answer stored',
      timeoutMs: 30_000,
    });
  }

  async function botServesWeb(serves: boolean): Promise<void> {
    await kb.setChannelBot(workspaceId, 'web', serves);
    await waitFor(
      async () =>
        (
          await db.query("SELECT 1 FROM routing.bot_channels WHERE workspace_id = $1 AND channel = 'web'", [
            workspaceId,
          ])
        ).rowCount === (serves ? 1 : 0),
      { what: `routing: the bot ${serves ? 'on' : 'off'} for web`, timeoutMs: 30_000 },
    );
  }

  /** The widget asks its customer for a rating once the conversation is resolved; they give it. */
  async function rate(
    customer: WidgetCustomer<Record<string, unknown>>,
    conversationId: string,
    rating: number,
  ): Promise<void> {
    customer.socket.send(JSON.stringify({ t: 'csat', conversationId, rating }));
    await waitFor(
      () => customer.frames.find((f) => f.t === 'csat-ok' && f.conversationId === conversationId),
      {
        what: 'the rating taken',
        timeoutMs: 30_000,
      },
    );
  }

  async function asked(
    customer: WidgetCustomer<Record<string, unknown>>,
    conversationId: string,
  ): Promise<void> {
    await waitFor(
      () => customer.items.find((item) => item.kind === 'csat' && item.conversationId === conversationId),
      { what: 'the widget asking for a rating', timeoutMs: 30_000 },
    );
  }

  it('gives the figures worked out by hand, in calendar time and in business hours', async () => {
    // Before the day: Paris, Monday to Friday 09:00–17:00; a queue per channel, Ada on the phone
    // queue and Bo on the web one; the answer bot on the widget with two articles.
    await reports.setWorkspaceClock(workspaceId, {
      timeZone: 'Europe/Paris',
      businessHours: Object.fromEntries(
        (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ from: '09:00', to: '17:00' }]]),
      ),
    });
    const phone = await routing.upsertQueue(workspaceId, { name: 'Phone', entry: { channels: ['sms'] } });
    const web = await routing.upsertQueue(workspaceId, { name: 'Web', entry: { channels: ['web'] } });
    await routing.upsertAgent(workspaceId, {
      agentId: A,
      displayName: 'Ada',
      skills: [],
      queueIds: [phone.id],
    });
    await routing.upsertAgent(workspaceId, { agentId: B, displayName: 'Bo', skills: [], queueIds: [web.id] });
    await kb.createArticle(workspaceId, {
      title: 'Reset your password',
      answer: 'Open Settings → Security and choose "Reset password": we email you a link.',
      questions: [
        'How do I reset my password?',
        'I forgot my password',
        'reset password',
        'can you help me change my password',
        'password reset link',
      ],
      state: 'published',
    });
    await kb.createArticle(workspaceId, {
      title: 'Opening hours',
      answer: 'We are open Monday to Friday, 9:00 to 17:00.',
      questions: [
        'When are you open?',
        'opening hours',
        'what time do you close',
        'are you open on weekends',
      ],
      state: 'published',
    });
    await botServesWeb(true);

    // C1, by SMS before hours: nobody online until Ada at 08:31 (assignment 60 s); her reply at
    // 08:40 (first response and speed of answer 600 s); resolved at 08:45; her follow-up at 08:50
    // reopens it (routing gives it back to her); resolved again at 09:05 (resolution 2,100 s).
    at('08:30');
    await text('+33612345601', 'Bonjour, my order has not arrived');
    const c1 = await newConversation();
    await decided(c1, 'waiting');
    at('08:31');
    await presence(A, 'online');
    await decided(c1, 'assigned', A);
    at('08:40');
    await reply(c1, A, 'Let me look: it left our warehouse yesterday.');
    at('08:45');
    await resolve(c1, A);
    at('08:50');
    await reply(c1, A, 'Update: it will be delivered tomorrow morning.');
    await decided(c1, 'assigned', A);
    at('09:00');
    await presence(B, 'online');
    at('09:05');
    await resolve(c1, A);

    // C2, on the widget: the bot holds it and answers at 09:10; asked for a person at 09:15, it
    // hands off and routing gives it to Bo (assignment 300 s); his reply at 09:20 (first response
    // 600 s, speed of answer 300 s from the hand-off); resolved at 09:50 (2,400 s); rated 5.
    at('09:10');
    const customer2 = await widgetCustomer();
    customer2.say('How do I reset my password?');
    const c2 = await newConversation();
    await decided(c2, 'bot');
    await botAnswered(c2);
    at('09:15');
    customer2.say('I want to talk to a person');
    await decided(c2, 'assigned', B);
    at('09:20');
    await reply(c2, B, 'Hello, I am Bo: which account is it?');
    at('09:50');
    await resolve(c2, B);
    await asked(customer2, c2);
    at('09:52');
    await rate(customer2, c2, 5);

    // C3, by SMS: Ada has it at once (0 s) and closes it at 10:02 before anyone answered:
    // abandoned (resolution 120 s).
    at('10:00');
    await text('+33612345602', 'Hello?');
    const c3 = await newConversation();
    await decided(c3, 'assigned', A);
    at('10:02');
    await resolve(c3, A);

    // C4, on the widget: the bot answers at 11:00 and Bo resolves it at 11:05 without taking it
    // over: resolved by the bot (300 s), never offered to agents.
    at('11:00');
    const customer4 = await widgetCustomer();
    customer4.say('When are you open?');
    const c4 = await newConversation();
    await decided(c4, 'bot');
    await botAnswered(c4);
    at('11:05');
    await resolve(c4, B);

    at('12:00');
    await presence(A, 'offline');
    at('16:00');
    await botServesWeb(false);

    // C5, on the widget without the bot, just before closing: Bo at once (0 s), his reply 40 s
    // later (within the 60 s target); resolved at 17:30 (2,400 s, 600 s in business hours); rated 2.
    at('16:50');
    const customer5 = await widgetCustomer();
    customer5.say('Hello, my parcel is damaged');
    const c5 = await newConversation();
    await decided(c5, 'assigned', B);
    at('16:50:40');
    await reply(c5, B, 'Sorry to hear that: a photo, please?');
    at('17:30');
    await resolve(c5, B);
    await asked(customer5, c5);
    at('17:31');
    await rate(customer5, c5, 2);
    at('18:00');
    await presence(B, 'offline');

    // Every event the services published, read by reporting.
    await waitFor(
      async () => {
        for (const topic of [Topics.conversations, Topics.routing, Topics.agents, Topics.inbound])
          if (!(await groupCaughtUp(`${kafka.topicPrefix}reporting.events`, `${kafka.topicPrefix}${topic}`)))
            return false;
        return true;
      },
      { what: 'reporting caught up with the day', timeoutMs: 60_000 },
    );

    const day: ReportQuery = {
      metrics: [...CONVERSATION_METRICS, ...QUEUE_METRICS],
      dimension: 'day',
      from: '2026-03-01',
      to: '2026-04-01',
    };
    const calendar = await reports.getReport(workspaceId, day);
    expect(calendar.timeZone).toBe('Europe/Paris');
    expect(calendar.rows).toEqual([
      {
        key: '2026-03-02',
        values: {
          conversations: 5,
          // C1 60, C2 300, C3 0, C5 0 (C4 never assigned).
          time_to_first_assignment: 360 / 4,
          // C1 600, C2 600, C5 40.
          first_response_time: 1240 / 3,
          // C1 2,100 (to its last resolution), C2 2,400, C3 120, C4 300, C5 2,400.
          resolution_time: 7320 / 5,
          resolved: 5,
          // C1 two, C2 one, C5 one; the bot's answers are not replies.
          replies: 4,
          replies_per_conversation: 4 / 5,
          reopens: 1,
          bot_held: 2,
          bot_resolved: 1,
          bot_handed_off: 1,
          csat_responses: 2,
          csat_average: 3.5,
          csat_satisfied_percent: 50,
          // C1, C2 (from its hand-off), C3 and C5; C4 stayed with the bot.
          offered: 4,
          answered: 3,
          // C5 (40 s) only.
          answered_within_target: 1,
          abandoned: 1,
          abandonment_percent: 25,
          service_level_percent: 25,
          // C1 600, C2 300, C5 40.
          average_speed_of_answer: 940 / 3,
        },
      },
    ]);

    // Business hours: C1, created at 08:30, is left out; durations count 09:00–17:00 only.
    const business = await reports.getReport(workspaceId, { ...day, time: 'business' });
    expect(business.rows).toEqual([
      {
        key: '2026-03-02',
        values: {
          conversations: 4,
          time_to_first_assignment: 300 / 3,
          first_response_time: 640 / 2,
          // C2 2,400, C3 120, C4 300, C5 600 (16:50–17:00).
          resolution_time: 3420 / 4,
          resolved: 4,
          replies: 2,
          replies_per_conversation: 2 / 4,
          reopens: 0,
          bot_held: 2,
          bot_resolved: 1,
          bot_handed_off: 1,
          csat_responses: 2,
          csat_average: 3.5,
          csat_satisfied_percent: 50,
          offered: 3,
          answered: 2,
          answered_within_target: 1,
          abandoned: 1,
          abandonment_percent: (1 / 3) * 100,
          service_level_percent: (1 / 3) * 100,
          average_speed_of_answer: 340 / 2,
        },
      },
    ]);

    // By local hour of creation, by channel, and by queue (the one routing named; C4 none).
    const hours = await reports.getReport(workspaceId, {
      ...day,
      metrics: ['conversations'],
      dimension: 'hour',
    });
    expect(hours.rows.map((r) => [r.key, r.values.conversations])).toEqual([
      ['2026-03-02T08:00', 1],
      ['2026-03-02T09:00', 1],
      ['2026-03-02T10:00', 1],
      ['2026-03-02T11:00', 1],
      ['2026-03-02T16:00', 1],
    ]);
    const channels = await reports.getReport(workspaceId, {
      ...day,
      metrics: ['conversations'],
      dimension: 'channel',
    });
    expect(channels.rows).toEqual([
      { key: 'sms', values: { conversations: 2 } },
      { key: 'web', values: { conversations: 3 } },
    ]);
    const queueNames = new Map([
      [phone.id, 'Phone'],
      [web.id, 'Web'],
      ['none', 'none'],
    ]);
    const queues = await reports.getReport(workspaceId, {
      ...day,
      metrics: ['conversations', 'offered', 'answered', 'abandoned'],
      dimension: 'queue',
    });
    expect(Object.fromEntries(queues.rows.map((r) => [queueNames.get(r.key) ?? r.key, r.values]))).toEqual({
      Phone: { conversations: 2, offered: 2, answered: 1, abandoned: 1 },
      Web: { conversations: 2, offered: 2, answered: 2, abandoned: 0 },
      none: { conversations: 1, offered: 0, answered: 0, abandoned: 0 },
    });

    // Agents: Ada online 08:31–12:00 (12,540 s) holding C1 08:31–08:45 and 08:50–09:05 and C3
    // 10:00–10:02 (1,860 s); Bo online 09:00–18:00 (32,400 s) holding C2 09:15–09:50 and C5
    // 16:50–17:30 (4,500 s). Nobody held two at once. In business hours: Ada 10,800 s online
    // holding 420 s (C1 from 09:00), Bo 28,800 s holding 2,700 s (C5 to 17:00).
    const agentQuery: ReportQuery = {
      metrics: ['handled', 'concurrency_mean', 'concurrency_max', 'occupancy_percent', 'time_online'],
      dimension: 'agent',
      from: '2026-03-02',
      to: '2026-03-03',
    };
    const agents = await reports.getReport(workspaceId, agentQuery);
    expect(agents.rows).toEqual([
      {
        key: A,
        values: {
          handled: 2,
          concurrency_mean: 1860 / 12540,
          concurrency_max: 1,
          occupancy_percent: (1860 / 12540) * 100,
          time_online: 12540,
        },
      },
      {
        key: B,
        values: {
          handled: 2,
          concurrency_mean: 4500 / 32400,
          concurrency_max: 1,
          occupancy_percent: (4500 / 32400) * 100,
          time_online: 32400,
        },
      },
    ]);
    const agentsInHours = await reports.getReport(workspaceId, { ...agentQuery, time: 'business' });
    expect(agentsInHours.rows).toEqual([
      {
        key: A,
        values: {
          handled: 2,
          concurrency_mean: 420 / 10800,
          concurrency_max: 1,
          occupancy_percent: (420 / 10800) * 100,
          time_online: 10800,
        },
      },
      {
        key: B,
        values: {
          handled: 2,
          concurrency_mean: 2700 / 28800,
          concurrency_max: 1,
          occupancy_percent: (2700 / 28800) * 100,
          time_online: 28800,
        },
      },
    ]);
  }, 300_000);
});
