import {
  BotChannelSwitchedV1,
  DEFAULT_WORKSPACE_ID,
  type EventEnvelope,
  type KnowledgeBaseApi,
  knowledgeBaseApiPort,
} from '@switchboard/contracts';
import { type InternalRpcClient, createInternalRpcClient } from '@switchboard/platform';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  startAppProcess,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import type { InboxResponse } from './inbox-client.fixture.js';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

const INTERNAL_TOKEN = randomBytes(24).toString('hex');
const BASE = '/api/inbox/admin/knowledge-base';

const ARTICLE = {
  title: 'Reset your password',
  answer: 'Use "Forgot password" on https://example.com/sign-in. <b>Not</b> markup.',
  questions: ['how do I reset my password', 'I forgot my password'],
  tags: ['Account'],
  state: 'published',
};

/**
 * Admin → Knowledge base over the real bot (its own process, the built app, on the real
 * PostgreSQL and Kafka), reached over internal RPC as when the inbox runs alone: admins only, the
 * session's workspace only, field errors, all-or-nothing imports naming each bad article, export,
 * and the channel switch that routing learns from the log.
 */
describe('inbox knowledge base admin API', () => {
  let database: TestDatabase;
  let bot: AppProcess;
  let inbox: InboxTestApp;
  let kbClient: InternalRpcClient<KnowledgeBaseApi> | undefined;
  const topicPrefix = `${testRunId()}.kb-admin-${randomUUID().slice(0, 8)}.`;
  const routingCommands: EventEnvelope[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('inbox_kb_admin');
    bot = await startAppProcess('bot', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '1',
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    });
    await bot.waitUntilReady(60_000);
    inbox = await startInboxTestApp('inbox_kb_admin', {
      database,
      topicPrefix,
      knowledgeBase: (kbClient = createInternalRpcClient(knowledgeBaseApiPort, {
        url: bot.rpcUrl,
        token: INTERNAL_TOKEN,
      })).api,
    });
    const reader = await inbox.bus.subscribe({
      groupId: `kb-admin-test-${randomUUID()}`,
      topics: [BotChannelSwitchedV1.topic],
      accepts: [BotChannelSwitchedV1],
      handleBatch: (batch) => {
        for (const { event } of batch) routingCommands.push(event);
        return Promise.resolve();
      },
    });
    await reader.assigned;
  }, 120_000);

  afterAll(async () => {
    await inbox?.close();
    kbClient?.close();
    await bot?.stop('SIGTERM');
    await database?.drop();
  });

  it('answers 403 to agents and supervisors on every route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', `${BASE}/articles`],
      ['POST', `${BASE}/articles`, ARTICLE],
      ['GET', `${BASE}/articles/${randomUUID()}`],
      ['PATCH', `${BASE}/articles/${randomUUID()}`, { title: 'x' }],
      ['DELETE', `${BASE}/articles/${randomUUID()}`],
      ['POST', `${BASE}/import?format=json`, []],
      ['GET', `${BASE}/export?format=csv`],
      ['POST', `${BASE}/try`, { text: 'hello' }],
      ['GET', `${BASE}/channels`],
      ['PUT', `${BASE}/channels/web`, { enabled: true }],
    ];
    for (const role of ['agent', 'supervisor'] as const) {
      const { client } = await signedInUser(inbox, role);
      for (const [method, path, body] of routes)
        expect([method, path, role, (await client.request(method, path, body)).status]).toEqual([
          method,
          path,
          role,
          403,
        ]);
    }
  });

  it('creates, finds, edits and deletes articles, text kept as written', async () => {
    const { client } = await signedInUser(inbox, 'admin');
    const created = await client.post(`${BASE}/articles`, ARTICLE);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...ARTICLE, tags: ['account'] });

    const found = await client.get(`${BASE}/articles?text=forgot`);
    expect(found.body.available).toBe(true);
    expect((found.body.articles as { id: string }[]).map((a) => a.id)).toEqual([created.body.id]);
    expect((await client.get(`${BASE}/articles?state=draft`)).body.articles).toEqual([]);
    expect((await client.get(`${BASE}/articles?text=nothing-like-it`)).body.articles).toEqual([]);

    const edited = await client.patch(`${BASE}/articles/${created.body.id}`, {
      state: 'draft',
      title: 'Passwords',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: 'Passwords', state: 'draft', questions: ARTICLE.questions });

    const tried = await client.post(`${BASE}/try`, { text: 'how do I reset my password' });
    expect(tried.body.kind).toBe('decline'); // a draft is never an answer
    await client.patch(`${BASE}/articles/${created.body.id}`, { state: 'published' });
    const answered = await client.post(`${BASE}/try`, { text: 'how can I reset my pasword' });
    expect(answered.body).toMatchObject({ kind: 'answer', article: { id: created.body.id } });

    expect((await client.delete(`${BASE}/articles/${created.body.id}`)).status).toBe(204);
    expect((await client.get(`${BASE}/articles/${created.body.id}`)).status).toBe(404);
  });

  it('names each bad field, at the edge and in the bot', async () => {
    const { client } = await signedInUser(inbox, 'admin');
    const noQuestion = await client.post(`${BASE}/articles`, { ...ARTICLE, questions: [] });
    expect(noQuestion.status).toBe(400);
    expect(noQuestion.body.error.fieldViolations).toEqual([
      { field: 'questions', description: expect.stringContaining('at least one question') },
    ]);
    const unknownField = await client.post(`${BASE}/articles`, { ...ARTICLE, html: '<script>' });
    expect(unknownField.status).toBe(400);
    const control = await client.post(`${BASE}/articles`, { ...ARTICLE, title: 'a\u0007b' });
    expect(control.body.error.fieldViolations).toEqual([
      { field: 'title', description: 'control characters are not allowed' },
    ]);
    expect((await client.get(`${BASE}/articles/not-a-uuid`)).status).toBe(404);
    expect((await client.put(`${BASE}/channels/fax`, { enabled: true })).status).toBe(400);
    expect((await client.put(`${BASE}/channels/web`, { enabled: 'yes' })).status).toBe(400);
    expect((await client.get(`${BASE}/export?format=xml`)).status).toBe(400);
  });

  it('imports all or nothing, naming every bad article, and exports what it imports', async () => {
    const workspaceId = randomUUID();
    const { client } = await signedInUser(inbox, 'admin', { workspaceId });
    const importFile = (format: string, content: string) => fetchImport(client, format, content);

    const csv =
      'id,title,answer,questions,tags,state\r\n' +
      ',Opening hours,"We are open 9-17, see https://example.com/hours","when are you open\nopening hours",hours,published\r\n' +
      ',No questions,An answer,,,published\r\n' +
      ',,Missing title,"a question",,draft\r\n';
    const bad = await importFile('csv', csv);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fieldViolations).toEqual([
      { field: 'articles.1.questions', description: expect.any(String) },
      { field: 'articles.2.title', description: expect.any(String) },
    ]);
    expect((await client.get(`${BASE}/articles`)).body.articles).toEqual([]);

    const good = await importFile('csv', csv.split('\r\n').slice(0, 2).join('\r\n'));
    expect(good.body).toEqual({ created: 1, updated: 0 });
    // Posted as JSON, the body parser would have eaten the file: refused, never "0 imported".
    const asJson = await client.post(`${BASE}/import?format=json`, [ARTICLE]);
    expect(asJson.status).toBe(400);
    expect(asJson.body.error.fieldViolations).toEqual([
      { field: 'content', description: expect.any(String) },
    ]);
    const notJson = await importFile('json', '{"articles": [');
    expect(notJson.body.error.fieldViolations).toEqual([{ field: 'content', description: 'not valid JSON' }]);

    const exported = await client.get(`${BASE}/export?format=json`);
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="knowledge-base.json"');
    const [article] = exported.body as { id: string; title: string; questions: string[] }[];
    expect(article).toMatchObject({
      title: 'Opening hours',
      questions: ['when are you open', 'opening hours'],
    });

    // Re-importing the export replaces the article (same id) rather than adding one.
    const again = await importFile('json', JSON.stringify([{ ...article, title: 'Hours' }]));
    expect(again.body).toEqual({ created: 0, updated: 1 });
    const csvExport = await client.get(`${BASE}/export?format=csv`);
    expect(csvExport.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csvExport.body).toContain(`${article!.id},Hours,`);

    // Another workspace's admin sees none of it.
    const other = await signedInUser(inbox, 'admin');
    expect((await other.client.get(`${BASE}/articles/${article!.id}`)).status).toBe(404);
    expect((await other.client.get(`${BASE}/articles?text=hours`)).body.articles).toEqual([]);
    expect((await other.client.patch(`${BASE}/articles/${article!.id}`, { title: 'x' })).status).toBe(404);
  });

  it('switches the bot per channel at once, and routing hears of it on the log', async () => {
    const { client } = await signedInUser(inbox, 'admin');
    const before = await client.get(`${BASE}/channels`);
    expect(before.body.channels).toContainEqual({ channel: 'sms', enabled: false, mode: 'off' });
    const switched = await client.put(`${BASE}/channels/sms`, { enabled: true });
    expect(switched.body).toEqual({ channel: 'sms', enabled: true, mode: 'built-in' });
    expect((await client.get(`${BASE}/channels`)).body.channels).toContainEqual({
      channel: 'sms',
      enabled: true,
      mode: 'built-in',
    });
    const event = await waitFor(() =>
      routingCommands.find(
        (e) => e.workspaceId === DEFAULT_WORKSPACE_ID && (e.payload as { channel: string }).channel === 'sms',
      ),
    );
    expect(event.payload).toMatchObject({ channel: 'sms', enabled: true });
    // An integrator's bot instead (ADR 0083): on for routing, external for the answer bot.
    const external = await client.put(`${BASE}/channels/sms`, { mode: 'external' });
    expect(external.body).toEqual({ channel: 'sms', enabled: true, mode: 'external' });
    expect((await client.put(`${BASE}/channels/sms`, { mode: 'robot' })).status).toBe(400);
    expect((await client.put(`${BASE}/channels/sms`, { mode: 'off', enabled: true })).status).toBe(400);
    await client.put(`${BASE}/channels/sms`, { enabled: false });
    expect((await client.get(`${BASE}/channels`)).body.channels).toContainEqual({
      channel: 'sms',
      enabled: false,
      mode: 'off',
    });
  });
});

/** The SPA posts the file as the body, as text (a JSON body parser would cap it at its own limit). */
async function fetchImport(
  client: { baseUrl: string; cookie?: string; csrfToken?: string },
  format: string,
  content: string,
): Promise<Pick<InboxResponse, 'status' | 'body'>> {
  const response = await fetch(`${client.baseUrl}${BASE}/import?format=${format}`, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      cookie: client.cookie ?? '',
      origin: client.baseUrl,
      'x-csrf-token': client.csrfToken ?? '',
    },
    body: content,
  });
  return { status: response.status, body: await response.json() };
}
