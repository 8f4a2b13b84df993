import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  InvalidArgumentError,
  KNOWLEDGE_BASE_API,
  KNOWLEDGE_BASE_LIMITS,
  NotFoundError,
  type ArticleInput,
  type KnowledgeBaseApi,
} from '@switchboard/contracts';
import { MessagingModule } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { BotAppConfig } from '../bot-app.config.js';
import { BotModule } from '../bot.module.js';

const hours: ArticleInput = {
  title: 'Opening hours',
  answer: 'We are open 9:00–17:00, Monday to Friday. See https://example.com/hours',
  questions: [
    'what are your opening hours',
    'when are you open',
    'are you open on sunday',
    'what time do you close',
  ],
  tags: ['Store'],
  state: 'published',
};
const refund: ArticleInput = {
  title: 'Refunds',
  answer: 'Refunds within 14 days: https://example.com/refunds',
  questions: ['can I get a refund', 'I want my money back', 'how do refunds work', 'refund policy'],
  state: 'published',
};

describe('knowledge base on PostgreSQL', () => {
  let database: TestDatabase;
  let app: INestApplicationContext;
  let kb: KnowledgeBaseApi;
  const workspace = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase('bot_kb');
    @Module({
      imports: [
        PlatformConfigModule.forRoot(BotAppConfig, {
          overrides: {
            LOG_LEVEL: 'warn',
            DATABASE_URL: database.url,
            BOT_ANSWER_THRESHOLD: '0.4',
            KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
            KAFKA_TOPIC_PREFIX: `kb-${randomUUID().slice(0, 8)}`,
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
    kb = app.get<KnowledgeBaseApi>(KNOWLEDGE_BASE_API);
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('declines every question while the base is empty', async () => {
    await expect(kb.tryQuestion(workspace, 'when are you open')).resolves.toMatchObject({ kind: 'decline' });
  });

  it('creates, reads, edits and deletes an article, scoped to its workspace', async () => {
    const created = await kb.createArticle(workspace, { ...hours, state: 'draft' });
    expect(created).toMatchObject({ title: 'Opening hours', tags: ['store'], state: 'draft' });
    await expect(kb.getArticle(workspace, created.id)).resolves.toEqual(created);
    await expect(kb.getArticle(randomUUID(), created.id)).rejects.toThrow(NotFoundError);
    await expect(kb.updateArticle(randomUUID(), created.id, { title: 'x' })).rejects.toThrow(NotFoundError);
    await expect(kb.deleteArticle(randomUUID(), created.id)).rejects.toThrow(NotFoundError);
    const edited = await kb.updateArticle(workspace, created.id, { state: 'published' });
    expect(edited).toMatchObject({ title: 'Opening hours', state: 'published', questions: hours.questions });
    await kb.deleteArticle(workspace, created.id);
    await expect(kb.getArticle(workspace, created.id)).rejects.toThrow(NotFoundError);
    await expect(kb.getArticle(workspace, 'not-a-uuid')).rejects.toThrow(NotFoundError);
  });

  it('refuses an article without questions, title or answer, naming the field', async () => {
    const error = await kb.createArticle(workspace, { ...hours, questions: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).fieldViolations.map((v) => v.field)).toEqual(['questions']);
    await expect(kb.createArticle(workspace, { ...hours, title: '  ' })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(kb.createArticle(workspace, { ...hours, answer: '' })).rejects.toThrow(InvalidArgumentError);
    await expect(kb.updateArticle(workspace, randomUUID(), { questions: [' '] })).rejects.toThrow(
      InvalidArgumentError,
    );
  });

  it('stores markup as the text it is', async () => {
    const markup = '<script>alert(1)</script> <b>bold</b> & "quotes"';
    const created = await kb.createArticle(workspace, {
      ...refund,
      title: markup,
      answer: markup,
      state: 'draft',
    });
    expect((await kb.getArticle(workspace, created.id)).answer).toBe(markup);
    await kb.deleteArticle(workspace, created.id);
  });

  it('answers with a published article, tolerating typos, and never with a draft', async () => {
    const ws = randomUUID();
    const published = await kb.createArticle(ws, hours);
    await kb.createArticle(ws, refund);
    const answer = await kb.tryQuestion(ws, 'wen are yuo open on sundays?');
    expect(answer).toMatchObject({ kind: 'answer', article: { id: published.id } });
    await kb.updateArticle(ws, published.id, { state: 'draft' });
    const afterDraft = await kb.tryQuestion(ws, 'when are you open');
    expect(afterDraft.kind === 'answer' ? afterDraft.article.id : null).not.toBe(published.id);
    await expect(kb.tryQuestion(ws, 'Wie ist das Wetter morgen in Berlin?')).resolves.toMatchObject({
      kind: 'decline',
    });
  });

  it('searches by text, state and tag', async () => {
    const ws = randomUUID();
    const a = await kb.createArticle(ws, hours);
    const b = await kb.createArticle(ws, { ...refund, state: 'draft', tags: ['billing'] });
    expect((await kb.searchArticles(ws, { text: 'MONEY back' })).map((x) => x.id)).toEqual([b.id]);
    expect((await kb.searchArticles(ws, { state: 'published' })).map((x) => x.id)).toEqual([a.id]);
    expect((await kb.searchArticles(ws, { tag: 'billing' })).map((x) => x.id)).toEqual([b.id]);
    expect((await kb.searchArticles(ws, { text: '100%_' })).length).toBe(0);
    expect((await kb.searchArticles(randomUUID(), {})).length).toBe(0);
    await expect(kb.searchArticles(ws, { limit: 501 })).rejects.toThrow(InvalidArgumentError);
  });

  it('exports and re-imports CSV and JSON: same ids replaced, new ones created', async () => {
    const ws = randomUUID();
    await kb.createArticle(ws, { ...hours, answer: '=SUM(A1) <i>markup</i>, "quoted"\nsecond line' });
    await kb.createArticle(ws, refund);
    for (const format of ['csv', 'json'] as const) {
      const exported = await kb.exportArticles(ws, format);
      const copy = randomUUID();
      await expect(kb.importArticles(copy, format, exported)).resolves.toEqual({ created: 2, updated: 0 });
      await expect(kb.importArticles(copy, format, exported)).resolves.toEqual({ created: 0, updated: 2 });
      expect(await kb.exportArticles(copy, format)).toBe(exported);
    }
  });

  it('imports all or nothing, naming the bad row', async () => {
    const ws = randomUUID();
    const file = JSON.stringify([hours, { ...refund, questions: [] }]);
    const error = await kb.importArticles(ws, 'json', file).catch((e: unknown) => e);
    expect((error as InvalidArgumentError).fieldViolations[0]?.field).toBe('articles.1.questions');
    expect(await kb.searchArticles(ws, {})).toEqual([]);
    await expect(kb.importArticles(ws, 'json', '{oops')).rejects.toThrow(InvalidArgumentError);
    await expect(kb.importArticles(ws, 'csv', 'nope\n1\n')).rejects.toThrow(InvalidArgumentError);
    await expect(kb.importArticles(ws, 'json', '[]')).resolves.toEqual({ created: 0, updated: 0 });
  });

  it('bounds imports: file size and articles per workspace', async () => {
    const ws = randomUUID();
    const huge = 'x'.repeat(KNOWLEDGE_BASE_LIMITS.importLength + 1);
    await expect(kb.importArticles(ws, 'json', huge)).rejects.toThrow(InvalidArgumentError);
    const many = Array.from({ length: KNOWLEDGE_BASE_LIMITS.articlesPerWorkspace }, (_, i) => ({
      title: `t${i}`,
      answer: 'a',
      questions: [`q${i}`],
    }));
    await expect(kb.importArticles(ws, 'json', JSON.stringify(many))).resolves.toEqual({
      created: KNOWLEDGE_BASE_LIMITS.articlesPerWorkspace,
      updated: 0,
    });
    await expect(kb.createArticle(ws, hours)).rejects.toThrow(InvalidArgumentError);
    await expect(kb.importArticles(ws, 'json', JSON.stringify([hours]))).rejects.toThrow(
      InvalidArgumentError,
    );
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM bot.articles WHERE workspace_id = $1',
        [ws],
      );
      expect(Number(rows[0]!.n)).toBe(KNOWLEDGE_BASE_LIMITS.articlesPerWorkspace);
    } finally {
      await client.end();
    }
  });
});
