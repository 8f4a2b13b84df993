import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { type ConfigOf, InjectConfig, createLogger } from '@switchboard/platform';
import { SocialChannelConfig } from '../social-channel.config.js';
import { TelegramBotService } from '../telegram/telegram-bot.service.js';
import { SocialAccountService } from './social-account.service.js';

/**
 * As with TWILIO_*, environment variables connect channels of the default workspace at start:
 * a WhatsApp number (WHATSAPP_PHONE_NUMBER_ID + WHATSAPP_ACCESS_TOKEN), a Facebook page
 * (MESSENGER_PAGE_ID + MESSENGER_PAGE_ACCESS_TOKEN) and the Instagram account linked to it
 * (INSTAGRAM_ACCOUNT_ID), all signed by META_APP_SECRET; a Telegram bot (TELEGRAM_BOT_TOKEN). A
 * half-given set stops the start with the variables named.
 */
@Injectable()
export class SocialAccountBootstrapService implements OnApplicationBootstrap {
  private readonly logger = createLogger('channel-social.accounts');

  constructor(
    @InjectConfig(SocialChannelConfig) private readonly config: ConfigOf<typeof SocialChannelConfig>,
    private readonly accounts: SocialAccountService,
    private readonly telegram: TelegramBotService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    const meta = [c.WHATSAPP_PHONE_NUMBER_ID, c.MESSENGER_PAGE_ID, c.INSTAGRAM_ACCOUNT_ID].some(
      (v) => v !== undefined,
    );
    if (meta && (c.META_APP_SECRET === undefined || c.META_VERIFY_TOKEN === undefined))
      throw new Error(
        'Set META_APP_SECRET and META_VERIFY_TOKEN to connect WhatsApp, Messenger or Instagram.',
      );
    const appSecret = c.META_APP_SECRET;
    if ((c.WHATSAPP_PHONE_NUMBER_ID === undefined) !== (c.WHATSAPP_ACCESS_TOKEN === undefined))
      throw new Error('Set both WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN, or neither.');
    if ((c.MESSENGER_PAGE_ID === undefined) !== (c.MESSENGER_PAGE_ACCESS_TOKEN === undefined))
      throw new Error('Set both MESSENGER_PAGE_ID and MESSENGER_PAGE_ACCESS_TOKEN, or neither.');
    if (c.INSTAGRAM_ACCOUNT_ID !== undefined && c.MESSENGER_PAGE_ID === undefined)
      throw new Error(
        'INSTAGRAM_ACCOUNT_ID needs MESSENGER_PAGE_ID and its token: Instagram messages go through the linked page.',
      );

    if (c.WHATSAPP_PHONE_NUMBER_ID && c.WHATSAPP_ACCESS_TOKEN)
      await this.connect(
        'whatsapp',
        c.WHATSAPP_PHONE_NUMBER_ID,
        { appSecret, accessToken: c.WHATSAPP_ACCESS_TOKEN },
        c.WHATSAPP_BUSINESS_ACCOUNT_ID === undefined
          ? {}
          : { businessAccountId: c.WHATSAPP_BUSINESS_ACCOUNT_ID },
      );
    if (c.MESSENGER_PAGE_ID && c.MESSENGER_PAGE_ACCESS_TOKEN)
      await this.connect('messenger', c.MESSENGER_PAGE_ID, {
        appSecret,
        accessToken: c.MESSENGER_PAGE_ACCESS_TOKEN,
      });
    if (c.INSTAGRAM_ACCOUNT_ID && c.MESSENGER_PAGE_ACCESS_TOKEN)
      await this.connect(
        'instagram',
        c.INSTAGRAM_ACCOUNT_ID,
        { appSecret, accessToken: c.MESSENGER_PAGE_ACCESS_TOKEN },
        c.MESSENGER_PAGE_ID === undefined ? {} : { pageId: c.MESSENGER_PAGE_ID },
      );
    if (c.TELEGRAM_BOT_TOKEN !== undefined) {
      const bot = await this.telegram.connect(DEFAULT_WORKSPACE_ID, c.TELEGRAM_BOT_TOKEN);
      if (bot === null)
        throw new Error('The TELEGRAM_BOT_TOKEN bot is already connected to another workspace.');
    }
  }

  private async connect(
    channel: 'whatsapp' | 'messenger' | 'instagram',
    externalId: string,
    secrets: { appSecret: string | undefined; accessToken: string },
    settings: { pageId?: string; businessAccountId?: string } = {},
  ): Promise<void> {
    const account = await this.accounts.upsert({
      workspaceId: DEFAULT_WORKSPACE_ID,
      channel,
      externalId,
      secrets: {
        accessToken: secrets.accessToken,
        ...(secrets.appSecret ? { appSecret: secrets.appSecret } : {}),
      },
      settings,
    });
    if (account === null)
      throw new Error(`${channel} ${externalId} is already connected to another workspace.`);
    this.logger.info(
      { channelAccountId: account.id, channel, externalId },
      'social channel ready: subscribe /webhooks/meta in the Meta app’s dashboard',
    );
  }
}
