import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '@switchboard/contracts';
import { type ConfigOf, SecretBox } from '@switchboard/platform';
import { type BotApiServer, startBotApiServer } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
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
  let api: SocialChannelApiService;

  beforeAll(async () => {
    database = await createSocialTestDatabase('social_channel_api');
    bots = await startBotApiServer(botToken);
    const config = {
      PUBLIC_BASE_URL: 'https://social.example.test',
      TELEGRAM_API_BASE_URL: bots.url,
    } as ConfigOf<typeof SocialChannelConfig>;
    const accounts = new SocialAccountService(database.db, new SecretBox(randomBytes(32)));
    api = new SocialChannelApiService(
      config,
      accounts,
      new TelegramBotService(config, accounts, new TelegramBotApiClient(config)),
    );
  });

  afterAll(async () => {
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
});
