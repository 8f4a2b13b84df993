import { status } from '@grpc/grpc-js';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  localSwitchboardClients,
  rpcFailure,
  startAppProcess,
  testRunId,
  unary,
  waitFor,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { InboxClient } from './inbox-client.fixture.js';

const INTERNAL_TOKEN = randomUUID() + randomUUID();
const ADMIN = { email: 'owner@example.test', password: 'owner password 1234' };
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');

/**
 * Each app alone, as deployed: the built inbox reaches channel-web's WebChannelApi,
 * channel-sms's SmsChannelApi, grpc-api's ApiKeysApi and the bot's KnowledgeBaseApi (which
 * grpc-api alone reaches too) over internal RPC (ADR 0004). Field violations, not-found and
 * already-exists come back through both hops as the same errors; the auth token never does.
 */
describe('inbox alone: channel settings over internal RPC', () => {
  let database: TestDatabase;
  let web: AppProcess;
  let sms: AppProcess;
  let inbox: AppProcess;
  let grpcApi: AppProcess;
  let bot: AppProcess;

  beforeAll(async () => {
    database = await createTestDatabase('inbox_channels_alone');
    const common = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: `${testRunId()}.inbox-channels-${randomUUID().slice(0, 8)}.`,
      KAFKA_PARTITIONS: '1',
      INTERNAL_API_TOKEN: INTERNAL_TOKEN,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    bot = await startAppProcess('bot', common);
    [web, sms, grpcApi] = await Promise.all([
      startAppProcess('channel-web', common),
      startAppProcess('channel-sms', common),
      // History and routing are not running: the keys' admin and authentication don't need them.
      startAppProcess('grpc-api', {
        ...common,
        HISTORY_API_URL: 'tcp://127.0.0.1:9',
        ROUTING_API_URL: 'tcp://127.0.0.1:9',
        BOT_API_URL: bot.rpcUrl,
      }),
    ]);
    await Promise.all([
      web.waitUntilReady(60_000),
      sms.waitUntilReady(60_000),
      grpcApi.waitUntilReady(60_000),
      bot.waitUntilReady(60_000),
    ]);
    inbox = await startAppProcess('inbox', {
      ...common,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // Not running: the channel routes must not need them.
      HISTORY_API_URL: 'tcp://127.0.0.1:9',
      ROUTING_API_URL: 'tcp://127.0.0.1:9',
      CHANNEL_WEB_API_URL: web.rpcUrl,
      CHANNEL_SMS_API_URL: sms.rpcUrl,
      GRPC_API_URL: grpcApi.rpcUrl,
      BOT_API_URL: bot.rpcUrl,
    });
    await inbox.waitUntilReady(60_000);
  }, 180_000);

  afterAll(async () => {
    await inbox?.stop('SIGTERM');
    await web?.stop('SIGTERM');
    await sms?.stop('SIGTERM');
    await grpcApi?.stop('SIGTERM');
    await bot?.stop('SIGTERM');
    await database?.drop();
  });

  it('reads and changes the widget and the numbers through the channel apps', async () => {
    const admin = new InboxClient(inbox.url);
    expect((await admin.login(ADMIN.email, ADMIN.password)).status).toBe(200);

    const widget = await admin.get('/api/inbox/admin/channels/web');
    expect(widget.status).toBe(200);
    expect(widget.body.widgetKey).toMatch(/^wk_/);
    const bad = await admin.patch('/api/inbox/admin/channels/web', {
      appearance: { offlineMessage: '', businessHours: { timeZone: 'Mars/Olympus', weekly: {} } },
    });
    expect(bad.status).toBe(400);
    expect((bad.body.error.fieldViolations as { field: string }[]).map((v) => v.field).sort()).toEqual([
      'appearance.businessHours.timeZone',
      'appearance.offlineMessage',
    ]);
    const rotated = await admin.post('/api/inbox/admin/channels/web/rotate-identity-secret');
    expect(rotated.status).toBe(200);
    expect(rotated.body.widgetKey).toBe(widget.body.widgetKey);
    expect(rotated.body.identitySecret).not.toBe(widget.body.identitySecret);

    const added = await admin.put('/api/inbox/admin/channels/sms', {
      phoneNumber: '+1 (415) 555-0161',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      helpText: 'Text STOP to stop.',
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ phoneNumber: '+14155550161', helpText: 'Text STOP to stop.' });
    // Updated without a token: the sealed one stays; nothing on the way back carries it.
    const updated = await admin.put('/api/inbox/admin/channels/sms', {
      phoneNumber: '+14155550161',
      accountSid: ACCOUNT_SID,
      helpText: null,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: added.body.id, helpText: null });
    const listed = await admin.get('/api/inbox/admin/channels/sms');
    expect(listed.body.numbers).toHaveLength(1);
    for (const body of [added.body, updated.body, listed.body])
      expect(JSON.stringify(body)).not.toContain(AUTH_TOKEN);
    expect(inbox.output() + web.output() + sms.output()).not.toContain(AUTH_TOKEN);

    const invalid = await admin.put('/api/inbox/admin/channels/sms', {
      phoneNumber: 'call me',
      accountSid: 'XX1',
      authToken: AUTH_TOKEN,
    });
    expect(invalid.status).toBe(400);
    expect((invalid.body.error.fieldViolations as { field: string }[]).map((v) => v.field)).toEqual([
      'phoneNumber',
      'accountSid',
    ]);
    expect((await admin.delete(`/api/inbox/admin/channels/sms/${randomUUID()}`)).status).toBe(404);
    expect((await admin.delete(`/api/inbox/admin/channels/sms/${added.body.id}`)).status).toBe(204);
    expect((await admin.get('/api/inbox/admin/channels/sms')).body.numbers).toEqual([]);
  });

  it("creates, lists (with last use) and revokes integrators' API keys through grpc-api", async () => {
    const admin = new InboxClient(inbox.url);
    expect((await admin.login(ADMIN.email, ADMIN.password)).status).toBe(200);

    const created = await admin.post('/api/inbox/admin/api-keys', {
      name: 'CRM sync',
      scope: 'read',
      rateLimitPerSecond: 5,
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^sbk_/);
    expect(created.body.apiKey).toMatchObject({
      name: 'CRM sync',
      scope: 'read',
      rateLimitPerSecond: 5,
      createdBy: ADMIN.email,
      lastUsedAt: null,
    });
    // Shown once: the list never carries it, and no process logged it.
    const listed = await admin.get('/api/inbox/admin/api-keys');
    expect(listed.body.apiKeys).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(inbox.output() + grpcApi.output()).not.toContain(key);

    // A call with the key authenticates (routing being down, it fails after that): last use shows.
    const clients = localSwitchboardClients(Number(grpcApi.grpcAddress.split(':')[1]), key);
    try {
      const failure = await rpcFailure(unary(clients.queues, 'ListQueues', {}));
      expect(failure.code).toBe(status.UNAVAILABLE);
      await waitFor(
        async () =>
          ((await admin.get('/api/inbox/admin/api-keys')).body.apiKeys as { lastUsedAt: string | null }[])[0]
            ?.lastUsedAt ?? null,
        { what: 'the key’s last use' },
      );

      const bad = await admin.post('/api/inbox/admin/api-keys', { name: '', scope: 'admin' });
      expect(bad.status).toBe(400);
      expect((bad.body.error.fieldViolations as { field: string }[]).map((v) => v.field).sort()).toEqual([
        'name',
        'scope',
      ]);
      expect((await admin.post(`/api/inbox/admin/api-keys/${randomUUID()}/revoke`)).status).toBe(404);
      const revoked = await admin.post(
        `/api/inbox/admin/api-keys/${created.body.apiKey.id as string}/revoke`,
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      // Revoked: refused within the cache's few seconds.
      await waitFor(
        async () =>
          (await rpcFailure(unary(clients.queues, 'ListQueues', {}))).code === status.UNAUTHENTICATED,
        { what: 'the revoked key refused', timeoutMs: 20_000 },
      );
    } finally {
      clients.close();
    }
  });

  it("manages the bot's knowledge base from the inbox, read back by grpc-api, both at BOT_API_URL", async () => {
    const admin = new InboxClient(inbox.url);
    expect((await admin.login(ADMIN.email, ADMIN.password)).status).toBe(200);
    const created = await admin.post('/api/inbox/admin/knowledge-base/articles', {
      title: 'Opening hours',
      answer: 'We are open 9 to 5.',
      questions: ['when are you open'],
      state: 'published',
    });
    expect(created.status).toBe(201);
    const noQuestion = await admin.post('/api/inbox/admin/knowledge-base/articles', {
      title: 'x',
      answer: 'y',
      questions: [],
    });
    expect((noQuestion.body.error.fieldViolations as { field: string }[]).map((v) => v.field)).toEqual([
      'questions',
    ]);
    expect((await admin.put('/api/inbox/admin/knowledge-base/channels/web', { enabled: true })).status).toBe(
      200,
    );

    const key = (await admin.post('/api/inbox/admin/api-keys', { name: 'KB', scope: 'read' })).body
      .key as string;
    const clients = localSwitchboardClients(Number(grpcApi.grpcAddress.split(':')[1]), key);
    try {
      const article = await unary<typeof clients.knowledgeBase, 'GetArticle', object, { title: string }>(
        clients.knowledgeBase,
        'GetArticle',
        { articleId: created.body.id as string },
      );
      expect(article.title).toBe('Opening hours');
      expect(await unary(clients.knowledgeBase, 'ListBotChannels', {})).toEqual({
        channels: ['CHANNEL_WEB'],
      });
    } finally {
      clients.close();
    }
  });
});
