import { Injectable } from '@nestjs/common';
import { type ConfigOf, InjectConfig, createLogger } from '@switchboard/platform';
import { randomBytes } from 'node:crypto';
import type { SocialAccountSummary } from '../accounts/social-account.service.js';
import { SocialAccountService } from '../accounts/social-account.service.js';
import { SocialChannelConfig } from '../social-channel.config.js';
import { TelegramBotApiClient } from './telegram-bot-api.client.js';

/** The updates a bot is subscribed to: what the adapter reads. */
const ALLOWED_UPDATES = ['message', 'edited_message'];

/**
 * Connects a bot to a workspace: its token checked with getMe, sealed with a fresh secret token
 * (kept across restarts), and the bot pointed at `PUBLIC_BASE_URL/webhooks/telegram/<channel>` by
 * setWebhook with that secret, which Telegram sends back on every update.
 */
@Injectable()
export class TelegramBotService {
  private readonly logger = createLogger('channel-social.telegram');

  constructor(
    @InjectConfig(SocialChannelConfig) private readonly config: ConfigOf<typeof SocialChannelConfig>,
    private readonly accounts: SocialAccountService,
    private readonly api: TelegramBotApiClient,
  ) {}

  /** Null when another workspace has the bot. */
  async connect(workspaceId: string, botToken: string): Promise<SocialAccountSummary | null> {
    const me = await this.api.call<{ id: number; username?: string }>(botToken, 'getMe', {});
    const externalId = String(me.id);
    const existing = await this.accounts.findByExternalId('telegram', externalId);
    // Secret tokens are 1–256 of A-Z a-z 0-9 _ -: base64url fits.
    const webhookSecret = existing?.workspaceId === workspaceId ? existing.secrets.webhookSecret : undefined;
    const account = await this.accounts.upsert({
      workspaceId,
      channel: 'telegram',
      externalId,
      displayName: me.username ? `@${me.username}` : null,
      secrets: { botToken, webhookSecret: webhookSecret ?? randomBytes(32).toString('base64url') },
    });
    if (account === null) return null;
    const opened = await this.accounts.findById(workspaceId, account.id);
    if (this.config.PUBLIC_BASE_URL === undefined) {
      this.logger.warn(
        { channelAccountId: account.id },
        'PUBLIC_BASE_URL is unset: the bot’s webhook is not registered',
      );
    } else if (opened?.secrets.webhookSecret) {
      await this.api.call(botToken, 'setWebhook', {
        url: `${this.config.PUBLIC_BASE_URL}/webhooks/telegram/${account.id}`,
        secret_token: opened.secrets.webhookSecret,
        allowed_updates: ALLOWED_UPDATES,
      });
      this.logger.info({ channelAccountId: account.id, bot: account.displayName }, 'Telegram bot connected');
    }
    return account;
  }
}
