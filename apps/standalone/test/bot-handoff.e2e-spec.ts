import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BotModule, botVariables } from '@switchboard/app-bot';
import {
  BotChannelSwitchedV1,
  KNOWLEDGE_BASE_API,
  type BotConversationView,
  type KnowledgeBaseApi,
  type RoutingDecisionView,
} from '@switchboard/contracts';
import { KafkaEventBus, MessagingModule, messagingVariables } from '@switchboard/messaging';
import {
  HealthModule,
  LoggingModule,
  PlatformConfigModule,
  coreVariables,
  databaseVariables,
  defineConfig,
  kafkaVariables,
} from '@switchboard/platform';
import {
  type AppProcess,
  type Standalone,
  openWidgetCustomer,
  signInToInboxApi,
  startStandalone,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';

const BROKERS = process.env.KAFKA_BROKERS ?? '';
const REPLY_SECONDS = 8;
/** What a second bot instance in this process reads: the bot's module on the platform's basics. */
const BotInstanceConfig = defineConfig(
  { ...coreVariables, ...databaseVariables, ...kafkaVariables, ...messagingVariables, ...botVariables },
  'BotInstanceConfig',
);

interface Item {
  id: string;
  kind: string;
  dir: 'in' | 'out';
  text: string | null;
  author: { name: string | null; type: string } | null;
  conversationId: string | null;
}

interface LiveFrame {
  type: string;
  event?: { type: string; payload: Record<string, unknown> };
}

/**
 * Issue 16 on the real Kafka broker and PostgreSQL, every service in the standalone process
 * (ADR 0080): web customers write; the bot answers one from a published article while routing
 * holds the conversation for it (no agent looked for, not waiting, not in the service level, and
 * "with the bot" live in the inbox); asked for a person, the bot hands off and routing gives the
 * conversation to the agent with the reason, its service-level clock started at the hand-off. An
 * agent takes another over mid-conversation (the bot falls silent there); switching the bot off
 * hands off what it holds at once; and a conversation no bot answers goes to agents after
 * ROUTING_BOT_REPLY_SECONDS. The knowledge base is written through KnowledgeBaseApi from a second
 * bot instance in this process, on the same database and topics (the admin pages are another
 * change's).
 */
describe('standalone on Kafka: the answer bot, hand-off, takeover, switch-off and timeout', () => {
  let standalone: Standalone;
  let app: AppProcess;
  let db: pg.Pool;
  let bot: INestApplicationContext;
  let kb: KnowledgeBaseApi;
  let bus: KafkaEventBus;
  const prefix = `${testRunId()}.bot-e2e-${randomUUID().slice(0, 8)}.`;

  beforeAll(async () => {
    standalone = await startStandalone('standalone_bot', {
      readyTimeoutMs: 90_000,
      env: {
        KAFKA_BROKERS: BROKERS,
        KAFKA_TOPIC_PREFIX: prefix,
        ROUTING_BOT_REPLY_SECONDS: String(REPLY_SECONDS),
        BOT_ANSWER_THRESHOLD: '0.4',
      },
    });
    app = standalone.app;
    const database = standalone.database;
    db = new pg.Pool({ connectionString: database.url, max: 2 });

    @Module({
      imports: [
        PlatformConfigModule.forRoot(BotInstanceConfig, {
          overrides: {
            LOG_LEVEL: 'warn',
            DATABASE_URL: database.url,
            KAFKA_BROKERS: BROKERS,
            KAFKA_TOPIC_PREFIX: prefix,
            BOT_ANSWER_THRESHOLD: '0.4',
          },
        }),
        LoggingModule,
        HealthModule,
        MessagingModule.forRoot(),
        BotModule,
      ],
    })
    class BotInstance {}
    bot = await NestFactory.createApplicationContext(BotInstance, { logger: false });
    await bot.init();
    kb = bot.get<KnowledgeBaseApi>(KNOWLEDGE_BASE_API);
    bus = new KafkaEventBus({
      brokers: BROKERS.split(','),
      clientId: 'bot-e2e',
      topicPrefix: prefix,
      partitions: 1,
      replicationFactor: 1,
    });
  }, 180_000);

  afterAll(async () => {
    await bus?.close();
    await bot?.close();
    await db?.end();
    await standalone?.close();
  });

  async function adminSession() {
    const session = await signInToInboxApi(standalone.app.url, standalone.admin);
    const me = (await (await session.call('GET', '/session')).json()) as {
      user: { id: string; workspaceId: string };
    };
    return {
      call: session.call,
      cookie: session.headers.cookie!,
      userId: me.user.id,
      workspaceId: me.user.workspaceId,
    };
  }

  /** The admin's inbox socket: they are an agent, online while it is open, and see live frames. */
  async function inboxSocket(cookie: string): Promise<{ socket: WebSocket; frames: LiveFrame[] }> {
    const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/ws/inbox`, {
      headers: { cookie, origin: app.url },
    });
    const frames: LiveFrame[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as LiveFrame));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return { socket, frames };
  }

  const customer = (widgetKey: string) => openWidgetCustomer<Item>(standalone.app.url, widgetKey);

  /** The conversation a customer's first message opened: the one history has that it had not before. */
  const known = new Set<string>();
  async function newConversation(): Promise<string> {
    const id = await waitFor(
      async () =>
        (await db.query<{ id: string }>('SELECT id FROM history.conversations ORDER BY opened_at')).rows
          .map((r) => r.id)
          .find((c) => !known.has(c)),
      { what: 'the conversation in history', timeoutMs: 30_000 },
    );
    known.add(id);
    return id;
  }

  it('answers from the knowledge base, hands off with the reason, and lets people take over', async () => {
    const admin = await adminSession();
    const workspaceId = admin.workspaceId;
    const { socket: agentSocket, frames } = await inboxSocket(admin.cookie);
    const article = await kb.createArticle(workspaceId, {
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
    await kb.setChannelBot(workspaceId, 'web', true);
    const settings = (await (await admin.call('GET', '/admin/channels/web')).json()) as { widgetKey: string };

    // Routing must know the bot serves web before the first customer writes (the switch and the
    // conversation travel on different topics): a decision it persisted says so.
    const routingKnows = async () =>
      (
        await db.query<{ channel: string }>(
          'SELECT channel FROM routing.bot_channels WHERE workspace_id = $1',
          [workspaceId],
        )
      ).rows.map((r) => r.channel);
    await waitFor(async () => (await routingKnows()).includes('web'), {
      what: 'routing learning the bot serves web',
      timeoutMs: 30_000,
    });

    // 1. The customer asks; the bot answers from the published article; routing holds it.
    const dana = await customer(settings.widgetKey);
    dana.say('how can I reset my password?');
    const danaConversation = await newConversation();
    const botAnswer = await waitFor(
      () => dana.items.find((i) => i.dir === 'out' && i.author?.type === 'bot'),
      { what: "the bot's answer", timeoutMs: 60_000 },
    );
    expect(botAnswer.text).toBe(article.answer);
    const held = (await (await admin.call('GET', '/bot-conversations')).json()) as BotConversationView[];
    expect(held.map((c) => c.conversationId)).toContain(danaConversation);
    const heldDecision = (await (
      await admin.call('GET', `/conversations/${danaConversation}/decision`)
    ).json()) as RoutingDecisionView;
    expect(heldDecision).toMatchObject({ state: 'bot', agentId: null, waitingSince: null });
    const stats = await db.query<{ waiting: string }>(
      "SELECT count(*) AS waiting FROM routing.conversations WHERE workspace_id = $1 AND state = 'waiting'",
      [workspaceId],
    );
    expect(Number(stats.rows[0]!.waiting)).toBe(0);
    await waitFor(
      () =>
        frames.some(
          (f) =>
            f.event?.type === 'bot.hold.changed' &&
            f.event.payload.conversationId === danaConversation &&
            f.event.payload.held === true,
        ),
      { what: '"with the bot", live in the inbox' },
    );

    // 2. The customer asks for a person: handed off with the reason, to the online agent.
    const askedAt = Date.now();
    dana.say('I want to talk to a human please');
    const handedOff = await waitFor(
      async () => {
        const d = (await (
          await admin.call('GET', `/conversations/${danaConversation}/decision`)
        ).json()) as RoutingDecisionView;
        return d.state === 'assigned' ? d : undefined;
      },
      { what: 'the hand-off reaching the agent', timeoutMs: 60_000 },
    );
    expect(handedOff.agentId).toBe(admin.userId);
    expect(handedOff.handoff?.reason).toBe('asked_for_person');
    expect(handedOff.explanation?.reason).toMatch(/customer asked for a person/);
    // The service level counts from the hand-off, not from the opening.
    const [row] = (
      await db.query<{ arrived_at: Date; assigned_at: Date }>(
        'SELECT arrived_at, assigned_at FROM routing.conversations WHERE conversation_id = $1',
        [danaConversation],
      )
    ).rows;
    expect(row!.arrived_at.getTime()).toBeGreaterThanOrEqual(askedAt - 1_000);
    expect(Date.parse(handedOff.handoff!.handedOffAt)).toBe(row!.arrived_at.getTime());
    // The transcript the agent opens holds the whole exchange with the bot.
    const detail = (await (await admin.call('GET', `/conversations/${danaConversation}`)).json()) as {
      timeline: { items: { text: string | null; sender: { type: string } }[] };
    };
    const texts = detail.timeline.items.map((m) => `${m.sender.type}: ${m.text}`);
    expect(texts).toEqual(
      expect.arrayContaining([
        'customer: how can I reset my password?',
        `bot: ${article.answer}`,
        'customer: I want to talk to a human please',
      ]),
    );
    await waitFor(
      async () =>
        (await kb.getArticleStats(workspaceId, [article.id]))[0]?.handedOffAfter === 1 ? true : undefined,
      { what: "the article's counts" },
    );
    expect((await kb.getArticleStats(workspaceId, [article.id]))[0]).toMatchObject({
      articleId: article.id,
      answered: 1,
      handedOffAfter: 1,
    });

    // 3. Takeover mid-conversation: another customer, the agent takes it; the bot falls silent.
    const eli = await customer(settings.widgetKey);
    eli.say('what are your opening hours?');
    const eliConversation = await newConversation();
    await waitFor(() => eli.items.find((i) => i.dir === 'out' && i.author?.type === 'bot'), {
      what: "the bot's answer to the second customer",
      timeoutMs: 60_000,
    });
    const takeOver = await admin.call('POST', `/conversations/${eliConversation}/take-over`, {});
    expect(takeOver.status).toBe(202);
    const taken = await waitFor(
      async () => {
        const d = (await (
          await admin.call('GET', `/conversations/${eliConversation}/decision`)
        ).json()) as RoutingDecisionView;
        return d.state === 'assigned' ? d : undefined;
      },
      { what: 'the takeover', timeoutMs: 30_000 },
    );
    expect(taken).toMatchObject({ agentId: admin.userId, handoff: { reason: 'taken_over' } });
    await waitFor(
      async () =>
        (
          await db.query(
            "SELECT 1 FROM bot.conversations WHERE conversation_id = $1 AND status = 'silenced'",
            [eliConversation],
          )
        ).rowCount === 1,
      { what: 'the bot silenced', timeoutMs: 30_000 },
    );
    const botRepliesToEli = () => eli.items.filter((i) => i.dir === 'out' && i.author?.type === 'bot').length;
    const before = botRepliesToEli();
    eli.say('how do I reset my password?');
    // A takeover of a conversation the bot no longer holds is refused.
    expect((await admin.call('POST', `/conversations/${eliConversation}/take-over`, {})).status).toBe(409);

    // 4. Switched off: what the bot holds goes to agents at once.
    const fay = await customer(settings.widgetKey);
    fay.say('are you open on weekends?');
    const fayConversation = await newConversation();
    await waitFor(
      async () =>
        ((await (await admin.call('GET', '/bot-conversations')).json()) as BotConversationView[]).some(
          (c) => c.conversationId === fayConversation,
        ),
      { what: 'the third conversation with the bot', timeoutMs: 30_000 },
    );
    await kb.setChannelBot(workspaceId, 'web', false);
    const switchedOff = await waitFor(
      async () => {
        const d = (await (
          await admin.call('GET', `/conversations/${fayConversation}/decision`)
        ).json()) as RoutingDecisionView;
        return d.state === 'assigned' ? d : undefined;
      },
      { what: 'the switch-off hand-off', timeoutMs: 30_000 },
    );
    expect(switchedOff.handoff?.reason).toBe('bot_switched_off');
    expect(await (await admin.call('GET', '/bot-conversations')).json()).toEqual([]);
    // The silenced conversation got no further answer from the bot meanwhile.
    expect(botRepliesToEli()).toBe(before);

    // 5. No bot answers (as when the bot's app is down): routing believes the bot serves web, the
    // bot does not; after ROUTING_BOT_REPLY_SECONDS the conversation goes to agents by itself.
    await bus.emit(
      BotChannelSwitchedV1.create({
        workspaceId,
        payload: { channel: 'web', enabled: true, switchedAt: new Date().toISOString() },
      }),
    );
    await waitFor(async () => (await routingKnows()).includes('web'), {
      what: 'routing holding for a bot again',
      timeoutMs: 30_000,
    });
    const gus = await customer(settings.widgetKey);
    const wroteAt = Date.now();
    gus.say('hello, anyone there?');
    const gusConversation = await newConversation();
    const timedOut = await waitFor(
      async () => {
        const d = (await (
          await admin.call('GET', `/conversations/${gusConversation}/decision`)
        ).json()) as RoutingDecisionView;
        return d.state === 'assigned' ? d : undefined;
      },
      { what: 'the timeout hand-off', timeoutMs: 60_000 },
    );
    expect(timedOut.handoff?.reason).toBe('bot_timeout');
    expect(Date.parse(timedOut.handoff!.handedOffAt) - wroteAt).toBeGreaterThanOrEqual(
      REPLY_SECONDS * 1000 - 1_000,
    );

    for (const s of [dana.socket, eli.socket, fay.socket, gus.socket, agentSocket]) s.close();
  }, 300_000);
});
