import { Injectable } from '@nestjs/common';
import {
  type ChannelPort,
  type ChannelWebhookRequest,
  type DeliveryStatusDraft,
  type FetchedChannelMedia,
  type InboundMessageDraft,
  MAX_MESSAGE_TEXT_LENGTH,
  type OutboundChannelMessage,
  type SendOutcome,
  WebhookVerificationError,
} from '@switchboard/contracts';
import { createLogger } from '@switchboard/platform';
import type { SocialAccount } from '../accounts/social-account.js';
import { SocialAccountService } from '../accounts/social-account.service.js';
import { MalformedWebhookError } from '../inbound/malformed-webhook.error.js';
import { downloadBounded } from '../media/bounded-download.util.js';
import { sameSecret } from '../meta/meta-verification.service.js';
import { TelegramApiError, TelegramBotApiClient } from './telegram-bot-api.client.js';
import { type TelegramMessage, type TelegramUpdate, telegramUpdateSchema } from './telegram-update.schema.js';

/** Bots download files up to 20 MB through the Bot API. */
export const MAX_TELEGRAM_FILE_BYTES = 20 * 1024 * 1024;

export interface TelegramMedia {
  readonly fileId: string;
  readonly fileName?: string;
  readonly mimeType?: string;
}

/** A verified update for a bot we know, or the path's channel nobody connected. */
export interface TelegramWebhook {
  readonly account: SocialAccount | null;
  readonly update: TelegramUpdate | null;
  readonly unknownRecipients: readonly string[];
}

/**
 * Telegram bots behind the channel port. Telegram does not sign bodies: the `secret_token` given
 * to setWebhook, sent back in `X-Telegram-Bot-Api-Secret-Token` on every update, is the only
 * proof, compared in constant time.
 */
@Injectable()
export class TelegramAdapter implements ChannelPort<SocialAccount, TelegramWebhook, TelegramMedia> {
  readonly channels = ['telegram'] as const;
  private readonly logger = createLogger('channel-social.telegram');

  constructor(
    private readonly accounts: SocialAccountService,
    private readonly api: TelegramBotApiClient,
  ) {}

  async verifyWebhook(request: ChannelWebhookRequest): Promise<TelegramWebhook> {
    const channelId = new URL(request.url, 'http://local').pathname.split('/').pop() ?? '';
    const account = await this.accounts.findByIdUnscoped(channelId);
    if (account === null || account.channel !== 'telegram')
      return { account: null, update: null, unknownRecipients: [channelId.slice(0, 100)] };
    const expected = account.secrets.webhookSecret;
    const given = request.headers['x-telegram-bot-api-secret-token'];
    if (expected === undefined || given === undefined || !sameSecret(given, expected))
      throw new WebhookVerificationError('X-Telegram-Bot-Api-Secret-Token does not match');
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new MalformedWebhookError('the body is not JSON');
    }
    const update = telegramUpdateSchema.safeParse(json);
    if (!update.success) throw new MalformedWebhookError('not a Telegram update');
    return { account, update: update.data, unknownRecipients: [] };
  }

  toInboundMessages(webhook: TelegramWebhook): InboundMessageDraft<SocialAccount, TelegramMedia>[] {
    const { account, update } = webhook;
    if (account === null || update === null) return [];
    const edited = update.message === undefined && update.edited_message !== undefined;
    const message = update.message ?? update.edited_message;
    // Bots in groups and channels are out of scope: a conversation is one person's private chat.
    if (message === undefined || message.chat.type !== 'private') return [];
    const hints: Record<string, string> = { telegramMessageId: String(message.message_id) };
    const raw = message.text ?? message.caption ?? null;
    const start = /^\/start(?:@\w+)?(?:\s+(\S{1,64}))?$/.exec(raw ?? '');
    if (start) hints.startPayload = start[1] ?? '';
    if (edited) hints.edited = 'true';
    const text = raw === null ? placeholder(message) : edited ? `✏️ Edited: ${raw}` : raw;
    const name =
      [message.from?.first_name, message.from?.last_name].filter(Boolean).join(' ') || message.from?.username;
    return [
      {
        account,
        workspaceId: account.workspaceId,
        payload: {
          channel: 'telegram',
          channelAccountId: account.id,
          // Telegram retries an update until answered: update_id is the dedupe key (an edit is
          // an update of its own).
          providerMessageId: String(update.update_id),
          sender: {
            kind: 'telegram',
            address: String(message.chat.id),
            verified: true,
            ...(name ? { displayName: name.slice(0, 200) } : {}),
          },
          text: text === null ? null : text.slice(0, MAX_MESSAGE_TEXT_LENGTH),
          receivedAt: new Date((message.edit_date ?? message.date) * 1000).toISOString(),
          hints,
        },
        media: media(message),
      },
    ];
  }

  toDeliveryStatuses(): DeliveryStatusDraft<SocialAccount>[] {
    // The Bot API reports no deliveries or reads.
    return [];
  }

  async send(account: SocialAccount, message: OutboundChannelMessage): Promise<SendOutcome> {
    const token = account.secrets.botToken;
    if (token === undefined) return { ok: false, code: 'no_credentials', message: 'This bot has no token.' };
    const chatId = message.recipient;
    let lastId: number | null = null;
    try {
      for (const [i, file] of message.attachments.entries()) {
        if (file.bytes === undefined) throw new Error('an outbound file without bytes');
        const photo =
          file.attachment.contentType === 'image/jpeg' || file.attachment.contentType === 'image/png';
        const caption =
          i === message.attachments.length - 1 && message.text && message.text.length <= 1024
            ? message.text
            : null;
        // The bytes themselves: a URL would make Telegram fetch it, which fails for private URLs.
        const form = new FormData();
        form.append('chat_id', chatId);
        if (caption) form.append('caption', caption);
        form.append(
          photo ? 'photo' : 'document',
          new Blob([new Uint8Array(await file.bytes())], { type: file.attachment.contentType }),
          file.attachment.fileName ?? (photo ? 'photo' : 'file'),
        );
        const sent = await this.api.call<{ message_id: number }>(
          token,
          photo ? 'sendPhoto' : 'sendDocument',
          form,
        );
        lastId = sent.message_id;
        if (caption) return { ok: true, providerMessageId: `${chatId}:${lastId}`, status: 'sent' };
      }
      if (message.text) {
        const sent = await this.api.call<{ message_id: number }>(token, 'sendMessage', {
          chat_id: chatId,
          text: message.text,
        });
        lastId = sent.message_id;
      }
    } catch (error) {
      if (error instanceof TelegramApiError)
        return { ok: false, code: `telegram_${error.errorCode}`, message: describeTelegramError(error) };
      throw error;
    }
    return lastId === null
      ? { ok: false, code: 'empty_message', message: 'The message is empty.' }
      : { ok: true, providerMessageId: `${chatId}:${lastId}`, status: 'sent' };
  }

  async fetchMedia(account: SocialAccount, item: TelegramMedia): Promise<FetchedChannelMedia | null> {
    const token = account.secrets.botToken;
    if (token === undefined) return null;
    let file: { file_path?: string; file_size?: number };
    try {
      file = await this.api.call(token, 'getFile', { file_id: item.fileId });
    } catch (error) {
      if (error instanceof TelegramApiError) return null;
      throw error;
    }
    if (!file.file_path || (file.file_size ?? 0) > MAX_TELEGRAM_FILE_BYTES) return null;
    // Only the Bot API's own file endpoint: file_path is a relative path Telegram gave us.
    if (!/^[\w./-]{1,300}$/.test(file.file_path) || file.file_path.includes('..')) {
      this.logger.warn({ channelAccountId: account.id }, 'refused an odd Telegram file path');
      return null;
    }
    const fetched = await downloadBounded(
      this.api.fileUrl(token, file.file_path),
      {},
      MAX_TELEGRAM_FILE_BYTES,
    );
    return fetched === null
      ? null
      : {
          body: fetched.body,
          contentType: item.mimeType ?? fetched.contentType,
          ...(item.fileName ? { fileName: item.fileName } : {}),
        };
  }
}

function media(message: TelegramMessage): TelegramMedia[] {
  // Photos come as sizes, smallest first: the largest is the photo.
  const photo = message.photo?.at(-1);
  if (photo) return [{ fileId: photo.file_id }];
  const document = message.document;
  if (document)
    return [
      {
        fileId: document.file_id,
        ...(document.file_name ? { fileName: document.file_name } : {}),
        ...(document.mime_type ? { mimeType: document.mime_type } : {}),
      },
    ];
  return [];
}

/** A message with neither text nor caption: a photo or document shows as its file; anything else as unsupported. */
function placeholder(message: TelegramMessage): string | null {
  if (message.photo || message.document) return null;
  const kind = Object.keys(message).find(
    (k) => !['message_id', 'from', 'chat', 'date', 'edit_date'].includes(k),
  );
  return `[Unsupported Telegram message: ${kind ?? 'unknown'}]`;
}

function describeTelegramError(error: TelegramApiError): string {
  if (error.errorCode === 403) return 'The customer blocked the bot or never started it.';
  if (error.errorCode === 400 && /chat not found/i.test(error.message))
    return 'Telegram does not know this chat.';
  return `Telegram refused the message: ${error.message}`;
}
