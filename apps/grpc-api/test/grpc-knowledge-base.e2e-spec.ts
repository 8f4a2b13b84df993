import { status } from '@grpc/grpc-js';
import {
  HISTORY_API,
  KNOWLEDGE_BASE_API,
  ROUTING_API,
  type KnowledgeBaseApi,
  knowledgeBaseApiPort,
  type grpcV1,
  type SwitchboardClients,
} from '@switchboard/contracts';
import { type InternalRpcClient, createInternalRpcClient } from '@switchboard/platform';
import {
  type AppProcess,
  type TestDatabase,
  InMemoryHistory,
  InMemoryRouting,
  createTestDatabase,
  localSwitchboardClients,
  rpcFailure,
  startAppProcess,
  testRunId,
  unary,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { startGrpcApiTestApp, type GrpcApiTestApp } from './grpc-api-test-app.js';

const INTERNAL_TOKEN = randomBytes(24).toString('hex');
type Kb = SwitchboardClients['knowledgeBase'];

/**
 * KnowledgeBaseService over the real bot (the built app in its own process, on the real
 * PostgreSQL and Kafka), reached over internal RPC as grpc-api alone reaches it:
 * scopes, workspaces, field violations, all-or-nothing imports, export, and the channel switch.
 */
describe('gRPC KnowledgeBaseService', () => {
  let api: GrpcApiTestApp;
  let bot: AppProcess;
  let botDatabase: TestDatabase;
  let kbClient: InternalRpcClient<KnowledgeBaseApi> | undefined;
  const workspace = randomUUID();
  let writer: SwitchboardClients;
  let reader: SwitchboardClients;
  let stranger: SwitchboardClients;

  const call = <Res>(c: SwitchboardClients, method: keyof Kb, request: object) =>
    unary<Kb, keyof Kb, object, Res>(c.knowledgeBase, method, request);

  const history = new InMemoryHistory();

  beforeAll(async () => {
    botDatabase = await createTestDatabase('grpc_kb_bot');
    bot = await startAppProcess('bot', {
      DATABASE_URL: botDatabase.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: `${testRunId()}.grpc-kb-${randomUUID().slice(0, 8)}.`,
      KAFKA_PARTITIONS: '1',
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    });
    await bot.waitUntilReady(60_000);
    api = await startGrpcApiTestApp('grpc_kb', {
      providers: [
        // The other services' ports, unused here: KnowledgeBaseService needs only the bot.
        { provide: HISTORY_API, useValue: history },
        { provide: ROUTING_API, useValue: new InMemoryRouting(history) },
        {
          provide: KNOWLEDGE_BASE_API,
          useValue: (kbClient = createInternalRpcClient(knowledgeBaseApiPort, {
            url: bot.rpcUrl,
            token: INTERNAL_TOKEN,
          })).api,
        },
      ],
    });
    const key = async (ws: string, scope: 'read' | 'read-write') =>
      localSwitchboardClients(
        api.port,
        (await api.keys.createApiKey(ws, { name: scope, scope, createdBy: 't' })).key,
      );
    writer = await key(workspace, 'read-write');
    reader = await key(workspace, 'read');
    stranger = await key(randomUUID(), 'read-write');
  }, 120_000);

  afterAll(async () => {
    for (const c of [writer, reader, stranger]) c?.close();
    await api?.close();
    kbClient?.close();
    await bot?.stop('SIGTERM');
    await botDatabase?.drop();
  });

  it('creates, reads, updates, answers with and deletes an article', async () => {
    const created = await call<grpcV1.Article__Output>(writer, 'CreateArticle', {
      title: 'Reset your password',
      answer: 'Use "Forgot password" on https://example.com/sign-in',
      questions: ['how do I reset my password', 'I forgot my password'],
      tags: ['Account'],
      state: 'ARTICLE_STATE_PUBLISHED',
    });
    expect(created).toMatchObject({
      title: 'Reset your password',
      tags: ['account'],
      state: 'ARTICLE_STATE_PUBLISHED',
    });
    expect(await call(reader, 'GetArticle', { articleId: created.id })).toMatchObject({ id: created.id });
    const listed = await call<grpcV1.ListArticlesResponse__Output>(reader, 'ListArticles', {
      text: 'forgot',
    });
    expect(listed.articles.map((a) => a.id)).toEqual([created.id]);

    const updated = await call<grpcV1.Article__Output>(writer, 'UpdateArticle', {
      articleId: created.id,
      title: 'Passwords',
      questions: { values: ['how do I reset my password', 'how can I change my password'] },
    });
    expect(updated).toMatchObject({ title: 'Passwords', answer: created.answer, tags: ['account'] });
    expect(updated.questions).toHaveLength(2);

    const tried = await call<grpcV1.TryQuestionResponse__Output>(reader, 'TryQuestion', {
      text: 'how can i reset my pasword',
    });
    expect(tried).toMatchObject({ answered: true, article: { id: created.id } });
    expect(tried.confidence).toBeGreaterThanOrEqual(tried.threshold);

    await call(writer, 'DeleteArticle', { articleId: created.id });
    expect((await rpcFailure(call(reader, 'GetArticle', { articleId: created.id }))).code).toBe(
      status.NOT_FOUND,
    );
  });

  it('refuses changes to a read key and sees only its own workspace', async () => {
    const created = await call<grpcV1.Article__Output>(writer, 'CreateArticle', {
      title: 'Opening hours',
      answer: '9 to 5',
      questions: ['when are you open'],
    });
    expect(created.state).toBe('ARTICLE_STATE_DRAFT');
    for (const [method, request] of [
      ['CreateArticle', { title: 't', answer: 'a', questions: ['q'] }],
      ['DeleteArticle', { articleId: created.id }],
      ['ImportArticles', { format: 'KNOWLEDGE_BASE_FORMAT_JSON', content: '[]' }],
      ['SetChannelBot', { channel: 'CHANNEL_WEB', enabled: true }],
    ] as const)
      expect((await rpcFailure(call(reader, method, request))).code).toBe(status.PERMISSION_DENIED);

    expect((await rpcFailure(call(stranger, 'GetArticle', { articleId: created.id }))).code).toBe(
      status.NOT_FOUND,
    );
    expect(
      (await rpcFailure(call(stranger, 'UpdateArticle', { articleId: created.id, title: 'Mine now' }))).code,
    ).toBe(status.NOT_FOUND);
    expect((await call<grpcV1.ListArticlesResponse__Output>(stranger, 'ListArticles', {})).articles).toEqual(
      [],
    );
  });

  it('names every invalid field', async () => {
    const noQuestion = await rpcFailure(
      call(writer, 'CreateArticle', { title: '', answer: 'a', questions: [] }),
    );
    expect(noQuestion.code).toBe(status.INVALID_ARGUMENT);
    expect(noQuestion.status!.fieldViolations.map((v) => v.field).sort()).toEqual(['questions', 'title']);

    const badId = await rpcFailure(call(reader, 'GetArticle', { articleId: 'nope' }));
    expect(badId.status!.fieldViolations).toEqual([{ field: 'article_id', description: 'must be a UUID' }]);
    const noFormat = await rpcFailure(call(reader, 'ExportArticles', {}));
    expect(noFormat.status!.fieldViolations).toEqual([
      { field: 'format', description: 'is required (CSV or JSON)' },
    ]);
    const pageSize = await rpcFailure(call(reader, 'ListArticles', { pageSize: 501 }));
    expect(pageSize.status!.fieldViolations).toEqual([
      { field: 'page_size', description: 'must be an integer from 0 to 500' },
    ]);
    const noChannel = await rpcFailure(call(writer, 'SetChannelBot', { enabled: true }));
    expect(noChannel.status!.fieldViolations).toEqual([{ field: 'channel', description: 'is required' }]);
  });

  it('imports all or nothing and exports what ImportArticles takes back', async () => {
    const ws = randomUUID();
    const c = localSwitchboardClients(
      api.port,
      (await api.keys.createApiKey(ws, { name: 'kb', scope: 'read-write', createdBy: 't' })).key,
    );
    try {
      const bad = await rpcFailure(
        call(c, 'ImportArticles', {
          format: 'KNOWLEDGE_BASE_FORMAT_JSON',
          content: JSON.stringify([
            { title: 'Shipping', answer: 'Two days', questions: ['how long is shipping'] },
            { title: 'Returns', answer: 'Within 30 days', questions: [] },
          ]),
        }),
      );
      expect(bad.code).toBe(status.INVALID_ARGUMENT);
      expect(bad.status!.fieldViolations.map((v) => v.field)).toEqual(['articles.1.questions']);
      expect((await call<grpcV1.ListArticlesResponse__Output>(c, 'ListArticles', {})).articles).toEqual([]);

      const csv =
        'id,title,answer,questions,tags,state\n' +
        ',Shipping,"Two days, see https://example.com/shipping","how long is shipping\nwhen will it arrive",delivery,published\n';
      expect(await call(c, 'ImportArticles', { format: 'KNOWLEDGE_BASE_FORMAT_CSV', content: csv })).toEqual({
        created: 1,
        updated: 0,
      });
      const exported = await call<grpcV1.ExportArticlesResponse__Output>(c, 'ExportArticles', {
        format: 'KNOWLEDGE_BASE_FORMAT_CSV',
      });
      expect(exported.content).toContain('Shipping,"Two days, see https://example.com/shipping"');
      expect(
        await call(c, 'ImportArticles', { format: 'KNOWLEDGE_BASE_FORMAT_CSV', content: exported.content }),
      ).toEqual({
        created: 0,
        updated: 1,
      });
    } finally {
      c.close();
    }
  });

  it('switches the bot per channel', async () => {
    await call(writer, 'SetChannelBot', { channel: 'CHANNEL_WHATSAPP', enabled: true });
    expect(await call(reader, 'ListBotChannels', {})).toEqual({ channels: ['CHANNEL_WHATSAPP'] });
    await call(writer, 'SetChannelBot', { channel: 'CHANNEL_WHATSAPP', enabled: false });
    expect(await call(reader, 'ListBotChannels', {})).toEqual({ channels: [] });
    expect(await call(stranger, 'ListBotChannels', {})).toEqual({ channels: [] });
  });
});
