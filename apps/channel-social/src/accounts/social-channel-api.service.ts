import { Injectable } from '@nestjs/common';
import {
  AlreadyExistsError,
  type FieldViolation,
  InvalidArgumentError,
  NotFoundError,
  type MessageTemplateView,
  type SocialChannelApi,
  type SocialChannelInput,
  type SocialChannelView,
} from '@switchboard/contracts';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import { MetaAdapter } from '../meta/meta.adapter.js';
import { SocialChannelConfig } from '../social-channel.config.js';
import { TelegramApiError } from '../telegram/telegram-bot-api.client.js';
import { TelegramBotService } from '../telegram/telegram-bot.service.js';
import { SOCIAL_CHANNELS } from './social-account.js';
import { type SocialAccountSummary, SocialAccountService } from './social-account.service.js';

const META_ID = /^\d{1,30}$/;
const SECRET = /^\S{8,1000}$/;
const VERIFY_TOKEN = /^\S{8,200}$/;
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/;

/**
 * SocialChannelApi over the channel's accounts (provided under SOCIAL_CHANNEL_API, served over
 * internal RPC by channel-social alone). Secrets go in, sealed, and never come out.
 */
@Injectable()
export class SocialChannelApiService implements SocialChannelApi {
  constructor(
    @InjectConfig(SocialChannelConfig) private readonly config: ConfigOf<typeof SocialChannelConfig>,
    private readonly accounts: SocialAccountService,
    private readonly telegram: TelegramBotService,
    private readonly meta: MetaAdapter,
  ) {}

  async listSocialChannels(workspaceId: string): Promise<SocialChannelView[]> {
    return (await this.accounts.list(workspaceId)).map((a) => this.toView(a));
  }

  async connectSocialChannel(workspaceId: string, input: SocialChannelInput): Promise<SocialChannelView> {
    const problems = validate(input);
    if (problems.length > 0) throw new InvalidArgumentError('the channel is not valid', problems);
    if (input.channel === 'telegram') {
      let bot: SocialAccountSummary | null;
      try {
        bot = await this.telegram.connect(workspaceId, input.botToken ?? '');
      } catch (error) {
        if (error instanceof TelegramApiError)
          throw new InvalidArgumentError('Telegram refused the bot token', [
            { field: 'botToken', description: error.message },
          ]);
        throw error;
      }
      if (bot === null) throw new AlreadyExistsError('this bot is connected to another workspace');
      return this.toView(bot);
    }
    const externalId = input.externalId ?? '';
    const existing = await this.accounts.findByExternalId(input.channel, externalId);
    if (existing !== null && existing.workspaceId !== workspaceId)
      throw new AlreadyExistsError(`this ${input.channel} account is connected to another workspace`);
    if (existing === null && (input.accessToken === undefined || input.appSecret === undefined))
      throw new InvalidArgumentError('a new channel needs its access token and app secret', [
        ...(input.accessToken === undefined
          ? [{ field: 'accessToken', description: 'required for a new channel' }]
          : []),
        ...(input.appSecret === undefined
          ? [{ field: 'appSecret', description: 'required for a new channel' }]
          : []),
      ]);
    const saved = await this.accounts.upsert({
      workspaceId,
      channel: input.channel,
      externalId,
      secrets: {
        ...(input.accessToken === undefined ? {} : { accessToken: input.accessToken }),
        ...(input.appSecret === undefined ? {} : { appSecret: input.appSecret }),
      },
      settings: {
        ...(input.pageId === undefined ? {} : { pageId: input.pageId }),
        ...(input.humanAgentTag === undefined ? {} : { humanAgentTag: input.humanAgentTag }),
        ...(input.businessAccountId === undefined ? {} : { businessAccountId: input.businessAccountId }),
      },
      ...(input.verifyToken === undefined ? {} : { verifyToken: input.verifyToken }),
    });
    if (saved === null)
      throw new AlreadyExistsError(`this ${input.channel} account is connected to another workspace`);
    return this.toView(saved);
  }

  async removeSocialChannel(workspaceId: string, channelId: string): Promise<void> {
    if (!(await this.accounts.remove(workspaceId, channelId))) throw new NotFoundError('channel');
  }

  async listMessageTemplates(workspaceId: string, channelId?: string): Promise<MessageTemplateView[]> {
    const account =
      channelId === undefined
        ? await this.accounts.findDefault(workspaceId, 'whatsapp')
        : await this.accounts.findById(workspaceId, channelId);
    if (account === null || account.channel !== 'whatsapp') throw new NotFoundError('WhatsApp channel');
    return this.meta.listTemplates(account);
  }

  private toView(account: SocialAccountSummary): SocialChannelView {
    const path = account.channel === 'telegram' ? `/webhooks/telegram/${account.id}` : '/webhooks/meta';
    return {
      id: account.id,
      workspaceId: account.workspaceId,
      channel: account.channel,
      externalId: account.externalId,
      displayName: account.displayName,
      webhookUrl: `${this.config.PUBLIC_BASE_URL ?? ''}${path}`,
      humanAgentTag: account.settings.humanAgentTag === true,
      businessAccountId: account.settings.businessAccountId ?? null,
      secretsSet: true,
      verifyTokenSet: account.verifyTokenSet,
      lastWebhookAt: account.lastWebhookAt,
      lastError: account.lastError,
      lastErrorAt: account.lastErrorAt,
      updatedAt: account.updatedAt,
    };
  }
}

function validate(input: SocialChannelInput): FieldViolation[] {
  const problems: FieldViolation[] = [];
  if (!SOCIAL_CHANNELS.includes(input.channel))
    return [{ field: 'channel', description: 'whatsapp, messenger, instagram or telegram' }];
  if (input.channel === 'telegram') {
    if (!BOT_TOKEN.test(input.botToken ?? ''))
      problems.push({ field: 'botToken', description: 'the token @BotFather gave, <bot id>:<secret>' });
    return problems;
  }
  if (!META_ID.test(input.externalId ?? ''))
    problems.push({ field: 'externalId', description: 'the numeric id Meta shows' });
  if (input.accessToken !== undefined && !SECRET.test(input.accessToken))
    problems.push({ field: 'accessToken', description: 'at least 8 characters, no spaces' });
  if (input.appSecret !== undefined && !SECRET.test(input.appSecret))
    problems.push({ field: 'appSecret', description: 'at least 8 characters, no spaces' });
  if (input.pageId !== undefined && !META_ID.test(input.pageId))
    problems.push({ field: 'pageId', description: 'the numeric id of the linked page' });
  if (input.businessAccountId !== undefined && !META_ID.test(input.businessAccountId))
    problems.push({ field: 'businessAccountId', description: 'the numeric WhatsApp Business Account id' });
  if (input.businessAccountId !== undefined && input.channel !== 'whatsapp')
    problems.push({ field: 'businessAccountId', description: 'only for WhatsApp' });
  if (input.verifyToken !== undefined && !VERIFY_TOKEN.test(input.verifyToken))
    problems.push({ field: 'verifyToken', description: '8 to 200 characters, no spaces' });
  if (input.channel === 'instagram' && input.pageId === undefined)
    problems.push({ field: 'pageId', description: 'Instagram messages go through the linked page: its id' });
  return problems;
}
