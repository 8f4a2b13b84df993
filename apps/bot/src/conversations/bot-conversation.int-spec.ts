import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import {
  allEventDefinitions,
  BotChannelSwitchedV1,
  BotHandoffRequestedV1,
  BotHoldChangedV1,
  ConversationMessageAppendedV1,
  KNOWLEDGE_BASE_API,
  OutboundMessageRequestedV1,
  REQUEST_CARD_TAG,
  Topics,
  type Channel,
  type EventEnvelope,
  type KnowledgeBaseApi,
  type MessageSender,
} from '@switchboard/contracts';
import { KafkaEventBus, MessagingModule, type SubscriptionHandle } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { createTestDatabase, settle, waitFor, type TestDatabase } from '@switchboard/testing';
import { BotAppConfig } from '../bot-app.config.js';
import { BotModule } from '../bot.module.js';
import { BotConversationConsumer } from './bot-conversation.consumer.js';
import { HANDOFF_MESSAGE } from './bot-conversation.service.js';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';

describe('the bot in conversations, on Kafka and PostgreSQL', () => {
  const workspaceId = randomUUID();
  const prefix = `bot-${randomUUID().slice(0, 8)}`;
  let database: TestDatabase;
  let app: INestApplicationContext;
  let kb: KnowledgeBaseApi;
  let bus: KafkaEventBus;
  let reader: SubscriptionHandle;
  const outputs: EventEnvelope[] = [];
  let passwordArticle: string;
  let shippingArticle: string;

  beforeAll(async () => {
    database = await createTestDatabase('bot_conversations');
    @Module({
      imports: [
        PlatformConfigModule.forRoot(BotAppConfig, {
          overrides: {
            LOG_LEVEL: 'warn',
            DATABASE_URL: database.url,
            KAFKA_BROKERS: BROKERS,
            KAFKA_TOPIC_PREFIX: prefix,
            KAFKA_PARTITIONS: '3',
            BOT_ANSWER_THRESHOLD: '0.4',
          },
        }),
        LoggingModule,
        HealthModule,
        MessagingModule.forRoot(),
        BotModule,
      ],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    await app.get(BotConversationConsumer).assigned;
    kb = app.get<KnowledgeBaseApi>(KNOWLEDGE_BASE_API);

    bus = new KafkaEventBus({
      brokers: BROKERS.split(','),
      clientId: 'bot-test',
      topicPrefix: prefix,
      partitions: 3,
      replicationFactor: 1,
    });
    reader = await bus.subscribe({
      groupId: 'bot-test-reader',
      topics: [Topics.outboundRequests, Topics.routingCommands],
      accepts: allEventDefinitions,
      handleBatch: (batch) => {
        for (const { event } of batch) outputs.push(event);
        return Promise.resolve();
      },
    });
    await reader.assigned;

    passwordArticle = (
      await kb.createArticle(workspaceId, {
        title: 'Reset your password',
        answer: 'Use "Forgot password" on https://example.com/sign-in.',
        questions: [
          'how do I reset my password',
          'I forgot my password',
          'password reset link',
          'cannot log in',
        ],
        state: 'published',
      })
    ).id;
    await kb.createArticle(workspaceId, {
      title: 'Opening hours',
      answer: 'We are open 9 to 5, Monday to Friday.',
      questions: ['what are your opening hours', 'when are you open', 'are you open on sunday'],
      state: 'published',
    });
    shippingArticle = (
      await kb.createArticle(workspaceId, {
        title: 'Shipping costs',
        answer: 'Shipping is free over 50 euros.',
        questions: ['how much is shipping', 'what does delivery cost', 'shipping fees', 'is shipping free'],
        state: 'published',
      })
    ).id;
    await kb.setChannelBot(workspaceId, 'web', true);
  });

  afterAll(async () => {
    await reader?.stop();
    await bus?.close();
    await app?.close();
    await database?.drop();
  });

  const conversation = (channel: Channel = 'web') => {
    const conversationId = randomUUID();
    const customerId = randomUUID();
    let sequence = 0;
    const message = (text: string, sender: MessageSender = { type: 'customer' }) =>
      ConversationMessageAppendedV1.create({
        workspaceId,
        payload: {
          conversationId,
          customerId,
          messageId: randomUUID(),
          sequence: ++sequence,
          direction: sender.type === 'customer' ? 'in' : 'out',
          channel,
          channelAccountId: null,
          text,
          attachments: [],
          sender,
          createdAt: new Date().toISOString(),
          openedConversation: sequence === 1,
        },
      });
    return { conversationId, message };
  };
  const publish = (...events: EventEnvelope[]) => bus.emit(events);
  const repliesTo = (conversationId: string) =>
    outputs.filter(
      (e): e is OutboundMessageRequestedV1 =>
        e.type === OutboundMessageRequestedV1.type &&
        (e as OutboundMessageRequestedV1).payload.conversationId === conversationId,
    );
  const handoffsOf = (conversationId: string) =>
    outputs.filter(
      (e): e is BotHandoffRequestedV1 =>
        e.type === BotHandoffRequestedV1.type &&
        (e as BotHandoffRequestedV1).payload.conversationId === conversationId,
    );

  it('tells routing when the bot is switched on for a channel', async () => {
    const switched = await waitFor(() =>
      outputs.find((e): e is BotChannelSwitchedV1 => e.type === BotChannelSwitchedV1.type),
    );
    expect(switched.payload).toMatchObject({ channel: 'web', enabled: true });
    expect(switched.workspaceId).toBe(workspaceId);
    await expect(kb.listBotChannels(workspaceId)).resolves.toEqual(['web']);
  });

  it('answers a new conversation, then hands off when the customer asks for a person', async () => {
    const a = conversation();
    const first = a.message('how can i reset my pasword?');
    await publish(first);
    const [answer] = await waitFor(() =>
      repliesTo(a.conversationId).length > 0 ? repliesTo(a.conversationId) : null,
    );
    expect(answer!.payload).toMatchObject({
      idempotencyKey: `bot:${first.payload.messageId}`,
      text: 'Use "Forgot password" on https://example.com/sign-in.',
      sender: { type: 'bot', id: `article:${passwordArticle}` },
    });

    await publish(a.message('this is useless, let me talk to a human'));
    const [handoff] = await waitFor(() =>
      handoffsOf(a.conversationId).length > 0 ? handoffsOf(a.conversationId) : null,
    );
    expect(handoff!.payload).toMatchObject({ reason: 'asked_for_person', articleIds: [passwordArticle] });
    await waitFor(() => repliesTo(a.conversationId).find((r) => r.payload.text === HANDOFF_MESSAGE));

    // Handed off: the bot stays out of it, and a redelivered message changes nothing.
    const c = conversation();
    await publish(a.message('hello?'), first, c.message('when are you open'));
    await waitFor(() => repliesTo(c.conversationId).length > 0);
    expect(repliesTo(a.conversationId)).toHaveLength(2);
    expect(handoffsOf(a.conversationId)).toHaveLength(1);
  });

  it('hands off a question it cannot answer', async () => {
    const b = conversation();
    await publish(b.message('Wie ist das Wetter morgen in Berlin?'));
    const [handoff] = await waitFor(() =>
      handoffsOf(b.conversationId).length > 0 ? handoffsOf(b.conversationId) : null,
    );
    expect(handoff!.payload).toMatchObject({ reason: 'low_confidence', articleIds: [] });
  });

  it('falls silent once an agent writes, and leaves channels it is not on alone', async () => {
    const held = conversation();
    const sms = conversation('sms');
    await publish(
      sms.message('how do I reset my password'),
      held.message('when are you open'),
      held.message('I can help with that', { type: 'agent', id: 'agent-1' }),
      held.message('and how do I reset my password?'),
    );
    const marker = conversation();
    await publish(marker.message('are you open on sunday'));
    await waitFor(() => repliesTo(marker.conversationId).length > 0);
    expect(repliesTo(held.conversationId)).toHaveLength(1);
    expect(handoffsOf(held.conversationId)).toHaveLength(0);
    expect(repliesTo(sms.conversationId)).toHaveLength(0);
    await settle(200);
    expect(handoffsOf(sms.conversationId)).toHaveLength(0);
  });

  it('counts per article, and falls silent when routing lets go (once, whatever is redelivered)', async () => {
    const e = conversation();
    await publish(e.message('how much is shipping?'));
    await waitFor(() => repliesTo(e.conversationId).length === 1);
    await publish(e.message('thanks, that helped!'));
    const released = BotHoldChangedV1.create({
      workspaceId,
      payload: {
        conversationId: e.conversationId,
        customerId: randomUUID(),
        channel: 'web',
        held: false,
        reason: 'bot_timeout',
        agentId: null,
        changedAt: new Date().toISOString(),
      },
    });
    await bus.emit([released]);
    await waitFor(
      async () => (await kb.getArticleStats(workspaceId, [shippingArticle]))[0]!.handedOffAfter === 1,
    );
    // Routing's release redelivered, and a question after it: nothing more from the bot.
    await bus.emit([released]);
    await publish(e.message('what does delivery cost'));
    const marker = conversation();
    await publish(marker.message('are you open on sunday'));
    await waitFor(() => repliesTo(marker.conversationId).length > 0);
    await settle(500);
    expect(repliesTo(e.conversationId)).toHaveLength(1);
    expect(await kb.getArticleStats(workspaceId, [shippingArticle])).toEqual([
      { articleId: shippingArticle, answered: 1, helpful: 1, notHelpful: 0, handedOffAfter: 1 },
    ]);
    const all = await kb.getArticleStats(workspaceId);
    expect(all.map((a) => a.articleId)).toContain(passwordArticle);
    expect(await kb.getArticleStats(randomUUID(), [shippingArticle])).toEqual([]);
  });

  it('hands off after two answers that did not help', async () => {
    const d = conversation();
    await publish(d.message('I forgot my password'));
    await waitFor(() => repliesTo(d.conversationId).length === 1);
    await publish(d.message("no, that didn't help"), d.message('when are you open'));
    await waitFor(() => repliesTo(d.conversationId).length === 2);
    await publish(d.message('no'));
    const [handoff] = await waitFor(() =>
      handoffsOf(d.conversationId).length > 0 ? handoffsOf(d.conversationId) : null,
    );
    expect(handoff!.payload.reason).toBe('not_helpful');
  });

  it('asks for a card with an article tagged for it (web only), and leaves external bots’ channels alone', async () => {
    await kb.createArticle(workspaceId, {
      title: 'Pay your invoice',
      answer: 'You can pay your invoice here by card.',
      questions: ['I want to pay my invoice', 'pay my bill', 'how do I pay the invoice', 'settle my invoice'],
      tags: [REQUEST_CARD_TAG],
      state: 'published',
    });
    // Customers get the new model once it is trained: an admin's try waits for it.
    expect(await kb.tryQuestion(workspaceId, 'I want to pay my invoice')).toMatchObject({
      kind: 'answer',
      article: { title: 'Pay your invoice' },
    });
    await kb.setChannelBotMode(workspaceId, 'telegram', 'built-in');
    await kb.setChannelBotMode(workspaceId, 'messenger', 'external');
    await expect(kb.listChannelBotModes(workspaceId)).resolves.toEqual([
      { channel: 'messenger', mode: 'external' },
      { channel: 'telegram', mode: 'built-in' },
      { channel: 'web', mode: 'built-in' },
    ]);
    await expect(kb.listBotChannels(workspaceId)).resolves.toEqual(['messenger', 'telegram', 'web']);
    // Routing learns only on or off: it holds for either bot.
    await waitFor(() =>
      outputs.find(
        (e) =>
          e.type === BotChannelSwitchedV1.type &&
          (e as BotChannelSwitchedV1).payload.channel === 'messenger' &&
          (e as BotChannelSwitchedV1).payload.enabled,
      ),
    );
    await expect(kb.setChannelBotMode(workspaceId, 'web', 'robot' as 'off')).rejects.toMatchObject({
      fieldViolations: [expect.objectContaining({ field: 'mode' })],
    });

    const web = conversation('web');
    const telegram = conversation('telegram');
    const external = conversation('messenger');
    await publish(
      external.message('I want to pay my invoice'),
      web.message('I want to pay my invoice'),
      telegram.message('I want to pay my invoice'),
    );
    const [onWeb] = await waitFor(() =>
      repliesTo(web.conversationId).length > 0 ? repliesTo(web.conversationId) : null,
    );
    expect(onWeb!.payload).toMatchObject({
      text: 'You can pay your invoice here by card.',
      form: { kind: 'card' },
    });
    const [onTelegram] = await waitFor(() =>
      repliesTo(telegram.conversationId).length > 0 ? repliesTo(telegram.conversationId) : null,
    );
    expect(onTelegram!.payload.text).toBe('You can pay your invoice here by card.');
    expect(onTelegram!.payload.form).toBeUndefined();
    // The external bot's conversation: the answer bot neither holds nor answers it.
    await settle(500);
    expect(repliesTo(external.conversationId)).toHaveLength(0);
    expect(handoffsOf(external.conversationId)).toHaveLength(0);

    // Off keeps nothing held for new conversations; back to built-in, web is as before.
    await kb.setChannelBotMode(workspaceId, 'messenger', 'off');
    await expect(kb.listBotChannels(workspaceId)).resolves.toEqual(['telegram', 'web']);
  });
});
