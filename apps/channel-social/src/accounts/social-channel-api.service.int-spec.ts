import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '@switchboard/contracts';
import { type ConfigOf, SecretBox } from '@switchboard/platform';
import {
  type BotApiServer,
  type GraphApiServer,
  startBotApiServer,
  startGraphApiServer,
} from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { MetaGraphClient } from '../meta/meta-graph.client.js';
import { MetaVerificationService } from '../meta/meta-verification.service.js';
import { MetaAdapter } from '../meta/meta.adapter.js';
import type { SocialChannelConfig } from '../social-channel.config.js';
import { TelegramBotApiClient } from '../telegram/telegram-bot-api.client.js';
import { TelegramBotService } from '../telegram/telegram-bot.service.js';
import { type SocialTestDatabase, createSocialTestDatabase } from '../testing/social-database.fixture.js';
import { SocialAccountService } from './social-account.service.js';
import { SocialChannelApiService } from './social-channel-api.service.js';

describe('SocialChannelApiService', () => {
  const workspace = randomUUID();
  const other = randomUUID();
  const botToken = `${7_100_000_000 + Math.floor(Math.random() * 1e6)}:AA${randomBytes(16).toString('hex')}`;
  let database: SocialTestDatabase;
  let bots: BotApiServer;
  let graph: GraphApiServer;
  let api: SocialChannelApiService;
  let verification: MetaVerificationService;

  beforeAll(async () => {
    database = await createSocialTestDatabase('social_channel_api');
    bots = await startBotApiServer(botToken);
    graph = await startGraphApiServer(['EAAG-templates-token']);
    const config = {
      PUBLIC_BASE_URL: 'https://social.example.test',
      TELEGRAM_API_BASE_URL: bots.url,
      META_GRAPH_API_BASE_URL: graph.url,
      META_GRAPH_API_VERSION: 'v23.0',
      META_VERIFY_TOKEN: 'the-environment-verify-token',
    } as ConfigOf<typeof SocialChannelConfig>;
    const accounts = new SocialAccountService(database.db, new SecretBox(randomBytes(32)));
    api = new SocialChannelApiService(
      config,
      accounts,
      new TelegramBotService(config, accounts, new TelegramBotApiClient(config)),
      new MetaAdapter(config, accounts, new MetaGraphClient(config)),
    );
    verification = new MetaVerificationService(config, accounts);
  });

  afterAll(async () => {
    await graph?.close();
    await bots?.close();
    await database?.close();
  });

  it('connects a WhatsApp number with its secrets sealed, shows its webhook URL, and an update without secrets keeps them', async () => {
    const created = await api.connectSocialChannel(workspace, {
      channel: 'whatsapp',
      externalId: '106540352242922',
      accessToken: 'EAAG-first-token',
      appSecret: 'first-app-secret',
    });
    expect(created).toMatchObject({
      channel: 'whatsapp',
      externalId: '106540352242922',
      webhookUrl: 'https://social.example.test/webhooks/meta',
      secretsSet: true,
      lastWebhookAt: null,
    });
    expect(JSON.stringify(created)).not.toContain('first-');
    await api.connectSocialChannel(workspace, { channel: 'whatsapp', externalId: '106540352242922' });
    const [row] = await database.db.query<{ secrets_sealed: string }[]>(
      'SELECT secrets_sealed FROM channels.social_accounts WHERE id = $1',
      [created.id],
    );
    expect(row!.secrets_sealed).not.toContain('first-app-secret');
    const accounts = new SocialAccountService(database.db, new SecretBox(randomBytes(32)));
    // Another key cannot open them: sealed, not encoded.
    await expect(accounts.findById(workspace, created.id)).rejects.toThrow();
    const listed = await api.listSocialChannels(workspace);
    expect(listed.map((c) => c.id)).toEqual([created.id]);
    expect(JSON.stringify(listed)).not.toContain('first-');
  });

  it('refuses a number another workspace holds, a new one without secrets, and bad values by field', async () => {
    await expect(
      api.connectSocialChannel(other, {
        channel: 'whatsapp',
        externalId: '106540352242922',
        accessToken: 'EAAG-other-token',
        appSecret: 'other-app-secret',
      }),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(
      api.connectSocialChannel(workspace, { channel: 'messenger', externalId: '1029384756' }),
    ).rejects.toMatchObject({
      fieldViolations: [
        { field: 'accessToken', description: 'required for a new channel' },
        { field: 'appSecret', description: 'required for a new channel' },
      ],
    });
    const invalid = api.connectSocialChannel(workspace, { channel: 'instagram', externalId: 'not-a-number' });
    await expect(invalid).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(invalid).rejects.toMatchObject({
      fieldViolations: expect.arrayContaining([
        expect.objectContaining({ field: 'externalId' }),
        expect.objectContaining({ field: 'pageId' }),
      ]),
    });
  });

  it('connects a Telegram bot: checked with getMe, its webhook registered with a secret token', async () => {
    const bot = await api.connectSocialChannel(workspace, { channel: 'telegram', botToken });
    expect(bot).toMatchObject({
      channel: 'telegram',
      externalId: botToken.split(':')[0],
      displayName: '@switchboard_test_bot',
      webhookUrl: `https://social.example.test/webhooks/telegram/${bot.id}`,
    });
    const [setWebhook] = bots.callsOf('setWebhook');
    expect(setWebhook!.params.get('url')).toBe(bot.webhookUrl);
    expect(String(setWebhook!.params.get('secret_token'))).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    await expect(
      api.connectSocialChannel(workspace, {
        channel: 'telegram',
        botToken: `${botToken.split(':')[0]}:AAwrongwrongwrongwrongwrong`,
      }),
    ).rejects.toMatchObject({ fieldViolations: [{ field: 'botToken', description: 'Unauthorized' }] });
  });

  it('removes a channel of the workspace only', async () => {
    const [channel] = await api.listSocialChannels(workspace);
    await expect(api.removeSocialChannel(other, channel!.id)).rejects.toBeInstanceOf(NotFoundError);
    await api.removeSocialChannel(workspace, channel!.id);
    expect((await api.listSocialChannels(workspace)).map((c) => c.id)).not.toContain(channel!.id);
  });

  it('lists the approved templates of a WhatsApp number’s business account, asked of the Graph API', async () => {
    const number = await api.connectSocialChannel(workspace, {
      channel: 'whatsapp',
      externalId: '106540352240001',
      accessToken: 'EAAG-templates-token',
      appSecret: 'templates-app-secret',
    });
    expect(number.businessAccountId).toBeNull();
    await expect(api.listMessageTemplates(workspace, number.id)).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    const updated = await api.connectSocialChannel(workspace, {
      channel: 'whatsapp',
      externalId: '106540352240001',
      businessAccountId: '102290129340001',
    });
    expect(updated.businessAccountId).toBe('102290129340001');
    graph.setTemplates('102290129340001', [
      { name: 'order_update', language: 'en_US', body: 'Hello {{1}}, your order {{2}} has shipped.' },
      { name: 'draft_offer', language: 'en_US', status: 'PENDING', body: 'Not yet {{1}}' },
      { name: 'bienvenue', language: 'fr', category: 'MARKETING', body: 'Bienvenue !' },
    ]);
    expect(await api.listMessageTemplates(workspace, number.id)).toEqual([
      {
        name: 'order_update',
        language: 'en_US',
        category: 'UTILITY',
        body: 'Hello {{1}}, your order {{2}} has shipped.',
        parameterCount: 2,
      },
      { name: 'bienvenue', language: 'fr', category: 'MARKETING', body: 'Bienvenue !', parameterCount: 0 },
    ]);
    const asked = graph.requests.filter((r) => r.path === '/102290129340001/message_templates');
    expect(asked.at(-1)).toMatchObject({ method: 'GET', version: 'v23.0', token: 'EAAG-templates-token' });
    // Another workspace's number, or a channel that is not WhatsApp, is not found.
    await expect(api.listMessageTemplates(other, number.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      api.connectSocialChannel(workspace, {
        channel: 'messenger',
        externalId: '1029384756',
        accessToken: 'EAAG-page-token',
        appSecret: 'page-app-secret',
        businessAccountId: '1',
      }),
    ).rejects.toMatchObject({
      fieldViolations: [{ field: 'businessAccountId', description: 'only for WhatsApp' }],
    });
  });

  it('answers Meta’s handshake with each account’s own verify token, kept only as a digest', async () => {
    const page = await api.connectSocialChannel(workspace, {
      channel: 'messenger',
      externalId: '1029384799',
      accessToken: 'EAAG-page-token',
      appSecret: 'page-app-secret',
      verifyToken: 'page-own-verify-token',
    });
    expect(page.verifyTokenSet).toBe(true);
    expect(JSON.stringify(page)).not.toContain('page-own-verify-token');
    const [row] = await database.db.query<{ verify_token_sha256: Buffer }[]>(
      'SELECT verify_token_sha256 FROM channels.social_accounts WHERE id = $1',
      [page.id],
    );
    expect(row!.verify_token_sha256.toString('utf8')).not.toContain('page-own');
    expect(await verification.answer('subscribe', 'page-own-verify-token', 'ch4llenge')).toBe('ch4llenge');
    expect(await verification.answer('subscribe', 'the-environment-verify-token', 'c2')).toBe('c2');
    expect(await verification.answer('subscribe', 'page-own-verify-tokeN', 'c3')).toBeNull();
    expect(await verification.answer('unsubscribe', 'page-own-verify-token', 'c4')).toBeNull();
    // Updating without a token keeps it.
    await api.connectSocialChannel(workspace, { channel: 'messenger', externalId: '1029384799' });
    expect(await verification.answer('subscribe', 'page-own-verify-token', 'c5')).toBe('c5');
  });
});
