import { Injectable } from '@nestjs/common';
import {
  ChannelUnavailableError,
  FailedPreconditionError,
  type MessageTemplateView,
  UnavailableError,
  type ChannelPort,
  type ChannelWebhookRequest,
  type DeliveryStatus,
  type DeliveryStatusDraft,
  type FetchedChannelMedia,
  type InboundMessageDraft,
  MAX_MESSAGE_TEXT_LENGTH,
  type OutboundChannelFile,
  type OutboundChannelMessage,
  type SendOutcome,
  type StatusWatermarkDraft,
  WebhookVerificationError,
  toE164,
} from '@switchboard/contracts';
import { type ConfigOf, InjectConfig, createLogger } from '@switchboard/platform';
import type { SocialAccount, SocialChannel } from '../accounts/social-account.js';
import { SocialAccountService } from '../accounts/social-account.service.js';
import { MalformedWebhookError } from '../inbound/malformed-webhook.error.js';
import { downloadBounded } from '../media/bounded-download.util.js';
import { SocialChannelConfig } from '../social-channel.config.js';
import { MetaGraphClient, MetaGraphError } from './meta-graph.client.js';
import { WHATSAPP_MEDIA_TYPES, messagingText, whatsAppText } from './meta-message-text.util.js';
import { hasValidMetaSignature } from './meta-signature.util.js';
import {
  type MessagingEvent,
  type WhatsAppValue,
  messagingEventSchema,
  metaWebhookSchema,
  whatsAppValueSchema,
} from './meta-webhook.schema.js';

/** WhatsApp Cloud API media: up to 100 MB for documents; we keep files up to this. */
export const MAX_META_MEDIA_BYTES = 25 * 1024 * 1024;
/** Meta's hosts for WhatsApp media URLs and Messenger/Instagram attachment URLs (https only). */
const META_MEDIA_HOSTS = [
  /^lookaside\.fbsbx\.com$/,
  /\.fbsbx\.com$/,
  /\.fbcdn\.net$/,
  /\.cdninstagram\.com$/,
];

/** How a webhook names a file: WhatsApp by media id (its URL is asked of the Graph API), the others by URL. */
export type MetaMedia =
  | { readonly kind: 'whatsapp'; readonly mediaId: string; readonly fileName?: string }
  | { readonly kind: 'url'; readonly url: string };

/** A verified Meta webhook: the parts addressed to accounts we know, whose app secret signed it. */
export interface MetaWebhook {
  readonly parts: readonly MetaWebhookPart[];
  /** Numbers, pages or accounts it names that no workspace connected. */
  readonly unknownRecipients: readonly string[];
}

export interface MetaWebhookPart {
  readonly account: SocialAccount;
  readonly businessAccountId?: string;
  readonly whatsapp?: WhatsAppValue;
  readonly messaging?: readonly MessagingEvent[];
}

/** How the app asks for a message to go: a template outside WhatsApp's window, the tag outside Messenger's. */
export interface MetaSendOptions {
  readonly template?: {
    readonly name: string;
    readonly language: string;
    readonly parameters: readonly string[];
  };
  readonly humanAgentTag?: boolean;
}

const OBJECT_CHANNELS: Readonly<Record<string, SocialChannel>> = {
  whatsapp_business_account: 'whatsapp',
  page: 'messenger',
  instagram: 'instagram',
};

/**
 * WhatsApp Cloud API, Messenger and Instagram behind the channel port: Meta's webhook shapes and
 * signature, the Graph API's sends and uploads, and its media hosts.
 */
@Injectable()
export class MetaAdapter implements ChannelPort<SocialAccount, MetaWebhook, MetaMedia> {
  readonly channels = ['whatsapp', 'messenger', 'instagram'] as const;
  private readonly logger = createLogger('channel-social.meta');

  constructor(
    @InjectConfig(SocialChannelConfig) private readonly config: ConfigOf<typeof SocialChannelConfig>,
    private readonly accounts: SocialAccountService,
    private readonly graph: MetaGraphClient,
  ) {}

  /**
   * Parsed only to find whose secret to check it with; nothing is used before the signature over
   * the raw bytes verifies. A webhook naming accounts of ours must be signed by their app; one
   * naming none of ours is checked against META_APP_SECRET when that is set.
   */
  async verifyWebhook(request: ChannelWebhookRequest): Promise<MetaWebhook> {
    const signature = request.headers['x-hub-signature-256'];
    if (signature === undefined) throw new WebhookVerificationError('X-Hub-Signature-256 is missing');
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new MalformedWebhookError('the body is not JSON');
    }
    const body = metaWebhookSchema.safeParse(json);
    if (!body.success) throw new MalformedWebhookError('not a Meta webhook');
    const channel = OBJECT_CHANNELS[body.data.object];

    const parts: MetaWebhookPart[] = [];
    const unknownRecipients: string[] = [];
    for (const entry of channel === undefined ? [] : body.data.entry) {
      if (channel === 'whatsapp') {
        for (const change of entry.changes ?? []) {
          if (change.field !== 'messages') continue;
          const value = whatsAppValueSchema.safeParse(change.value);
          if (!value.success) throw new MalformedWebhookError('not a WhatsApp messages change');
          const account = await this.accounts.findByExternalId(
            'whatsapp',
            value.data.metadata.phone_number_id,
          );
          if (account === null) unknownRecipients.push(value.data.metadata.phone_number_id);
          else parts.push({ account, businessAccountId: entry.id, whatsapp: value.data });
        }
      } else if (channel !== undefined) {
        const account = await this.accounts.findByExternalId(channel, entry.id);
        if (account === null) {
          unknownRecipients.push(entry.id);
          continue;
        }
        const events: MessagingEvent[] = [];
        for (const raw of entry.messaging ?? []) {
          const event = messagingEventSchema.safeParse(raw);
          if (!event.success) throw new MalformedWebhookError('not a messaging event');
          events.push(event.data);
        }
        parts.push({ account, messaging: events });
      }
    }

    const secrets = new Set(parts.map((part) => part.account.secrets.appSecret ?? ''));
    if (parts.length === 0 && this.config.META_APP_SECRET !== undefined)
      secrets.add(this.config.META_APP_SECRET);
    for (const secret of secrets)
      if (secret === '' || !hasValidMetaSignature(request.rawBody, signature, secret))
        throw new WebhookVerificationError('X-Hub-Signature-256 does not match');
    for (const { account, businessAccountId } of parts)
      if (businessAccountId !== undefined && account.settings.businessAccountId !== businessAccountId)
        await this.learnBusinessAccount(account, businessAccountId);
    return { parts, unknownRecipients };
  }

  /**
   * The approved templates of the number's business account, from the Graph API
   * (`GET /{waba-id}/message_templates`), a page of up to 200 at most: more than a composer can offer.
   */
  async listTemplates(account: SocialAccount): Promise<MessageTemplateView[]> {
    const waba = account.settings.businessAccountId;
    if (waba === undefined)
      throw new FailedPreconditionError(
        'The WhatsApp Business Account of this number is not known yet: set it in Admin → Channels, or wait for its first webhook.',
      );
    const token = account.secrets.accessToken;
    if (token === undefined) throw new FailedPreconditionError('This channel has no access token.');
    let answer: { data?: GraphTemplate[] };
    try {
      answer = await this.graph.get(
        `${encodeURIComponent(waba)}/message_templates?status=APPROVED&fields=name,language,status,category,components&limit=200`,
        token,
      );
    } catch (error) {
      if (error instanceof MetaGraphError || error instanceof ChannelUnavailableError) {
        await this.accounts.noteError(account, `templates: ${error.message}`).catch(() => undefined);
        throw new UnavailableError(`Meta did not list the templates: ${error.message}`);
      }
      throw error;
    }
    return (answer.data ?? [])
      .filter((t) => t.status === undefined || t.status === 'APPROVED')
      .flatMap((t) => {
        if (typeof t.name !== 'string' || typeof t.language !== 'string') return [];
        const body = t.components?.find((c) => c.type === 'BODY')?.text ?? '';
        const placeholders = new Set([...body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1]));
        return [
          {
            name: t.name,
            language: t.language,
            category: t.category ?? '',
            body,
            parameterCount: placeholders.size,
          },
        ];
      });
  }

  /** A webhook's entry id is the number's business account: kept, so its templates can be listed. */
  private async learnBusinessAccount(account: SocialAccount, businessAccountId: string): Promise<void> {
    if (!/^\d{1,30}$/.test(businessAccountId)) return;
    try {
      await this.accounts.updateSettings(account, { businessAccountId });
    } catch (error) {
      // Not worth a retry by Meta: the next webhook tries again.
      this.logger.warn({ channelAccountId: account.id, err: error }, 'could not record the business account');
    }
  }

  toInboundMessages(webhook: MetaWebhook): InboundMessageDraft<SocialAccount, MetaMedia>[] {
    const drafts: InboundMessageDraft<SocialAccount, MetaMedia>[] = [];
    for (const part of webhook.parts) {
      if (part.whatsapp) drafts.push(...this.whatsAppMessages(part.account, part.whatsapp));
      if (part.messaging) drafts.push(...this.messagingMessages(part.account, part.messaging));
    }
    return drafts;
  }

  toDeliveryStatuses(webhook: MetaWebhook): DeliveryStatusDraft<SocialAccount>[] {
    const drafts: DeliveryStatusDraft<SocialAccount>[] = [];
    for (const { account, whatsapp, messaging } of webhook.parts) {
      for (const status of whatsapp?.statuses ?? []) {
        const ours = fromWhatsAppStatus(status.status);
        if (ours === null) continue;
        const error = status.errors?.[0];
        drafts.push({
          account,
          workspaceId: account.workspaceId,
          channel: 'whatsapp',
          providerMessageId: status.id,
          status: ours,
          ...(ours === 'failed'
            ? {
                errorCode: String(error?.code ?? 'unknown'),
                errorMessage:
                  [error?.title ?? error?.message, error?.error_data?.details]
                    .filter(Boolean)
                    .join(': ')
                    .slice(0, 1000) || 'WhatsApp could not deliver the message.',
              }
            : {}),
          statusAt: epochToIso(status.timestamp),
        });
      }
      for (const event of messaging ?? []) {
        const statusAt = new Date(event.timestamp ?? Date.now()).toISOString();
        for (const mid of event.delivery?.mids ?? [])
          drafts.push({
            account,
            workspaceId: account.workspaceId,
            channel: account.channel,
            providerMessageId: mid,
            status: 'delivered',
            statusAt,
          });
        if (event.read?.mid)
          drafts.push({
            account,
            workspaceId: account.workspaceId,
            channel: account.channel,
            providerMessageId: event.read.mid,
            status: 'read',
            statusAt,
          });
      }
    }
    return drafts;
  }

  /**
   * Messenger and Instagram say "read" (and sometimes "delivered") by watermark: every message the
   * page sent this person up to that moment. A read that also names its `mid` is covered by
   * `toDeliveryStatuses` as well; the record's high-water mark makes the second one a no-op.
   */
  toStatusWatermarks(webhook: MetaWebhook): StatusWatermarkDraft<SocialAccount>[] {
    const drafts: StatusWatermarkDraft<SocialAccount>[] = [];
    for (const { account, messaging } of webhook.parts)
      for (const event of messaging ?? []) {
        const marks = [
          { status: 'delivered' as const, at: event.delivery?.watermark },
          { status: 'read' as const, at: event.read?.watermark },
        ];
        for (const { status, at } of marks)
          if (typeof at === 'number' && Number.isFinite(at) && at > 0)
            drafts.push({
              account,
              workspaceId: account.workspaceId,
              channel: account.channel,
              // The customer who read: the sender of the read event.
              recipient: event.sender.id,
              status,
              upTo: new Date(Math.min(at, 8.64e15)).toISOString(),
            });
      }
    return drafts;
  }

  async send(account: SocialAccount, message: OutboundChannelMessage): Promise<SendOutcome> {
    const token = account.secrets.accessToken;
    if (token === undefined)
      return { ok: false, code: 'no_credentials', message: 'This channel has no access token.' };
    const options = (message.options ?? {}) as MetaSendOptions;
    try {
      if (account.channel === 'whatsapp') return await this.sendWhatsApp(account, token, message, options);
      return await this.sendMessaging(account, token, message, options);
    } catch (error) {
      if (error instanceof MetaGraphError)
        return {
          ok: false,
          code: error.code === null ? `http_${error.status}` : String(error.code),
          message: describeMetaError(error),
        };
      throw error;
    }
  }

  async fetchMedia(account: SocialAccount, media: MetaMedia): Promise<FetchedChannelMedia | null> {
    const token = account.secrets.accessToken;
    if (media.kind === 'url') {
      // Messenger and Instagram name a signed CDN URL: fetched without our token, from Meta's hosts only.
      const url = URL.canParse(media.url) ? new URL(media.url) : null;
      if (url === null || !this.isMetaMediaUrl(url)) {
        this.logger.warn({ channelAccountId: account.id, host: url?.hostname }, 'refused media outside Meta');
        return null;
      }
      return downloadBounded(url, {}, MAX_META_MEDIA_BYTES);
    }
    if (token === undefined) return null;
    // WhatsApp: the media id's URL (valid about 5 minutes), then the bytes, both with the token.
    let info: { url?: string; mime_type?: string; file_size?: number };
    try {
      info = await this.graph.get(encodeURIComponent(media.mediaId), token);
    } catch (error) {
      if (error instanceof MetaGraphError) return null;
      throw error;
    }
    const url = typeof info.url === 'string' && URL.canParse(info.url) ? new URL(info.url) : null;
    if (url === null || !this.isMetaMediaUrl(url)) {
      this.logger.warn(
        { channelAccountId: account.id, host: url?.hostname },
        'refused WhatsApp media outside Meta',
      );
      return null;
    }
    if (typeof info.file_size === 'number' && info.file_size > MAX_META_MEDIA_BYTES) return null;
    const fetched = await downloadBounded(url, { authorization: `Bearer ${token}` }, MAX_META_MEDIA_BYTES);
    return fetched === null
      ? null
      : {
          ...fetched,
          contentType: fetched.contentType ?? info.mime_type ?? null,
          ...(media.fileName ? { fileName: media.fileName } : {}),
        };
  }

  private whatsAppMessages(
    account: SocialAccount,
    value: WhatsAppValue,
  ): InboundMessageDraft<SocialAccount, MetaMedia>[] {
    const names = new Map((value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
    return (value.messages ?? []).map((message) => {
      const { text, unsupported } = whatsAppText(message);
      const type = WHATSAPP_MEDIA_TYPES.find((t) => t === message.type);
      const media = type === undefined ? undefined : message[type];
      // A wa_id is the customer's phone number: the same customer as their SMS (ADR 0070).
      const phone = waIdToE164(message.from);
      const name = names.get(message.from);
      const hints: Record<string, string> = {};
      if (unsupported) hints.unsupported = message.type.slice(0, 100);
      if (message.type === 'reaction' && message.reaction?.message_id)
        hints.reactionTo = message.reaction.message_id;
      return {
        account,
        workspaceId: account.workspaceId,
        payload: {
          channel: 'whatsapp' as const,
          channelAccountId: account.id,
          providerMessageId: message.id,
          // WhatsApp proved the number: it verified it when the customer signed up.
          sender: {
            kind: 'phone' as const,
            address: phone,
            verified: true,
            ...(name ? { displayName: name.slice(0, 200) } : {}),
          },
          text: text === null ? null : text.slice(0, MAX_MESSAGE_TEXT_LENGTH),
          receivedAt: epochToIso(message.timestamp),
          ...(Object.keys(hints).length > 0 ? { hints } : {}),
        },
        media: media?.id
          ? [
              {
                kind: 'whatsapp' as const,
                mediaId: media.id,
                ...(media.filename ? { fileName: media.filename } : {}),
              },
            ]
          : [],
      };
    });
  }

  private messagingMessages(
    account: SocialAccount,
    events: readonly MessagingEvent[],
  ): InboundMessageDraft<SocialAccount, MetaMedia>[] {
    const drafts: InboundMessageDraft<SocialAccount, MetaMedia>[] = [];
    const platform = account.channel === 'instagram' ? 'Instagram' : 'Messenger';
    for (const event of events) {
      // Our own sends come back as echoes; deliveries and reads are statuses.
      const message = event.message;
      if (message?.is_echo || message?.is_deleted) continue;
      const id =
        message?.mid ?? (event.reaction ? `${event.reaction.mid}:reaction:${event.timestamp ?? 0}` : null);
      if (id === null) continue;
      const { text, unsupported } = messagingText(event, platform);
      const kind = account.channel === 'instagram' ? ('instagram' as const) : ('messenger' as const);
      drafts.push({
        account,
        workspaceId: account.workspaceId,
        payload: {
          channel: kind,
          channelAccountId: account.id,
          providerMessageId: id,
          // A page-scoped id Meta delivered from: proven, but meaningful only on this platform.
          sender: { kind, address: event.sender.id, verified: true },
          text: text === null ? null : text.slice(0, MAX_MESSAGE_TEXT_LENGTH),
          receivedAt: new Date(event.timestamp ?? Date.now()).toISOString(),
          ...(unsupported ? { hints: { unsupported: platform } } : {}),
        },
        media: (message?.attachments ?? [])
          .filter((a) => ['image', 'video', 'audio', 'file'].includes(a.type) && a.payload?.url)
          .map((a) => ({ kind: 'url' as const, url: a.payload?.url ?? '' })),
      });
    }
    return drafts;
  }

  private async sendWhatsApp(
    account: SocialAccount,
    token: string,
    message: OutboundChannelMessage,
    options: MetaSendOptions,
  ): Promise<SendOutcome> {
    const to = message.recipient.replace(/^\+/, '');
    const path = `${encodeURIComponent(account.externalId)}/messages`;
    const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
    let lastId: string | null = null;
    if (options.template) {
      const { name, language, parameters } = options.template;
      const sent = await this.graph.post<WhatsAppSendResponse>(path, token, {
        ...base,
        type: 'template',
        template: {
          name,
          language: { code: language },
          ...(parameters.length > 0
            ? {
                components: [
                  { type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) },
                ],
              }
            : {}),
        },
      });
      return accepted(sent.messages?.[0]?.id);
    }
    // Files first, each its own message (the text goes as the last file's caption when one fits).
    for (const [i, file] of message.attachments.entries()) {
      const type = whatsAppMediaType(file.attachment.contentType);
      const uploaded = await this.upload(`${encodeURIComponent(account.externalId)}/media`, token, file, {
        messaging_product: 'whatsapp',
        type: file.attachment.contentType,
      });
      const caption = i === message.attachments.length - 1 && type !== 'audio' ? message.text : null;
      const sent = await this.graph.post<WhatsAppSendResponse>(path, token, {
        ...base,
        type,
        [type]: {
          id: uploaded.id,
          ...(caption ? { caption } : {}),
          ...(type === 'document' && file.attachment.fileName ? { filename: file.attachment.fileName } : {}),
        },
      });
      lastId = sent.messages?.[0]?.id ?? lastId;
      if (caption) return accepted(lastId ?? undefined);
    }
    if (message.text) {
      const sent = await this.graph.post<WhatsAppSendResponse>(path, token, {
        ...base,
        type: 'text',
        text: { body: message.text, preview_url: false },
      });
      lastId = sent.messages?.[0]?.id ?? null;
    }
    return accepted(lastId ?? undefined);
  }

  private async sendMessaging(
    account: SocialAccount,
    token: string,
    message: OutboundChannelMessage,
    options: MetaSendOptions,
  ): Promise<SendOutcome> {
    // Instagram messages go through the page it is linked to.
    const page =
      account.channel === 'instagram' ? (account.settings.pageId ?? account.externalId) : account.externalId;
    const path = `${encodeURIComponent(page)}/messages`;
    const envelope = {
      recipient: { id: message.recipient },
      ...(options.humanAgentTag
        ? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
        : { messaging_type: 'RESPONSE' }),
    };
    let lastId: string | null = null;
    for (const file of message.attachments) {
      const type = messagingAttachmentType(file.attachment.contentType);
      const uploaded = await this.upload(`${encodeURIComponent(page)}/message_attachments`, token, file, {
        message: JSON.stringify({ attachment: { type, payload: { is_reusable: false } } }),
      });
      const sent = await this.graph.post<MessagingSendResponse>(path, token, {
        ...envelope,
        message: { attachment: { type, payload: { attachment_id: uploaded.attachment_id ?? uploaded.id } } },
      });
      lastId = sent.message_id ?? lastId;
    }
    if (message.text) {
      const sent = await this.graph.post<MessagingSendResponse>(path, token, {
        ...envelope,
        message: { text: message.text },
      });
      lastId = sent.message_id ?? null;
    }
    return accepted(lastId ?? undefined);
  }

  /** Uploads the file's bytes (multipart), never a URL Meta would have to fetch from us. */
  private async upload(
    path: string,
    token: string,
    file: OutboundChannelFile,
    fields: Record<string, string>,
  ): Promise<{ id?: string; attachment_id?: string }> {
    if (file.bytes === undefined) throw new Error('an outbound file without bytes');
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const bytes = await file.bytes();
    form.append(
      path.endsWith('/media') ? 'file' : 'filedata',
      new Blob([new Uint8Array(bytes)], { type: file.attachment.contentType }),
      file.attachment.fileName ?? 'file',
    );
    return this.graph.post(path, token, form);
  }

  private isMetaMediaUrl(url: URL): boolean {
    if (url.username !== '' || url.password !== '') return false;
    if (this.graph.isGraphOrigin(url)) return true;
    return (
      url.protocol === 'https:' && META_MEDIA_HOSTS.some((host) => host.test(url.hostname.toLowerCase()))
    );
  }
}

interface GraphTemplate {
  name?: string;
  language?: string;
  status?: string;
  category?: string;
  components?: { type?: string; text?: string }[];
}

interface WhatsAppSendResponse {
  messages?: { id?: string }[];
}
interface MessagingSendResponse {
  message_id?: string;
}

function accepted(providerMessageId: string | undefined): SendOutcome {
  return providerMessageId === undefined
    ? { ok: false, code: 'empty_message', message: 'The message is empty.' }
    : { ok: true, providerMessageId, status: 'sent' };
}

function fromWhatsAppStatus(status: string): DeliveryStatus | null {
  switch (status) {
    case 'sent':
    case 'delivered':
    case 'read':
    case 'failed':
      return status;
    default:
      return null;
  }
}

// toE164 remembers the numbers it parsed lately (the same customers write again and again).
function waIdToE164(waId: string): string {
  return toE164(`+${waId}`) ?? waId;
}

function epochToIso(seconds: string | undefined): string {
  const value = Number(seconds);
  return new Date(Number.isFinite(value) && value > 0 ? value * 1000 : Date.now()).toISOString();
}

function whatsAppMediaType(contentType: string): 'image' | 'audio' | 'video' | 'document' {
  if (contentType === 'image/jpeg' || contentType === 'image/png') return 'image';
  if (contentType.startsWith('audio/')) return 'audio';
  if (contentType === 'video/mp4' || contentType === 'video/3gpp') return 'video';
  return 'document';
}

function messagingAttachmentType(contentType: string): 'image' | 'audio' | 'video' | 'file' {
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('audio/')) return 'audio';
  if (contentType.startsWith('video/')) return 'video';
  return 'file';
}

/** What an agent reads beside a reply Meta refused, for the codes they meet most. */
const META_ERRORS: Readonly<Record<string, string>> = {
  '131047':
    'More than 24 hours have passed since the customer last wrote: only an approved template can be sent.',
  '131026': 'The number is not on WhatsApp, or cannot receive this message.',
  '131051': 'WhatsApp does not support this message type.',
  '131053': 'WhatsApp could not take the file (type or size).',
  '132001': 'The template does not exist in this language, or is not approved.',
  '10': 'The page is not allowed to message this person now (outside the messaging window).',
  '551': 'This person is not available to receive messages right now.',
};

function describeMetaError(error: MetaGraphError): string {
  return META_ERRORS[String(error.code)] ?? `Meta refused the message: ${error.message}`;
}
