import { Injectable } from '@nestjs/common';
import {
  type ChannelPort,
  type ChannelWebhookRequest,
  ChannelUnavailableError,
  type DeliveryStatusDraft,
  type FetchedChannelMedia,
  type InboundMessageDraft,
  MAX_MESSAGE_TEXT_LENGTH,
  type OutboundChannelMessage,
  type SendOutcome,
  toE164,
} from '@switchboard/contracts';
import { type ConfigOf, InjectConfig } from '@switchboard/platform';
import twilio from 'twilio';
import type { SmsAccount } from '../accounts/sms-account.js';
import { SmsAccountService } from '../accounts/sms-account.service.js';
import { type MediaItem, TwilioMediaService } from '../media/twilio-media.service.js';
import {
  describeTwilioError,
  fromTwilioStatus,
  statusCallbackUrl,
} from '../outbound/sms-delivery-status.util.js';
import { TwilioClientFactory } from '../outbound/twilio-client.factory.js';
import { SmsChannelConfig } from '../sms-channel.config.js';
import {
  type TwilioWebhookRequest,
  hasValidSignature,
  param,
  parseTwilioForm,
} from '../webhooks/twilio-webhook-request.js';
import { TwilioSignatureError } from '../webhooks/twilio-webhook.errors.js';

/** MMS carries at most 10 media; Twilio numbers them MediaUrl0..9. */
const MAX_MEDIA = 10;
/**
 * How far Twilio's clock (its `date_created`, to the second) may be behind ours when a lost send is
 * looked up. Wider only lets an identical, older message to the same number match.
 */
const CLOCK_SKEW_MS = 60_000;
/** A lookup reads this many of the recipient's newest messages (one request). */
const LOOKUP_LIMIT = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Twilio webhook whose signature was checked against the account it names. */
export interface TwilioWebhook {
  /** `status`: a callback for a message we sent, naming it in its (signed) URL. */
  readonly kind: 'message' | 'status';
  readonly account: SmsAccount;
  readonly request: TwilioWebhookRequest;
}

/** A file of an inbound MMS: fetched only if it is this very message's media on Twilio's API. */
export interface TwilioMedia extends MediaItem {
  readonly messageSid: string;
}

/**
 * The SMS channel's provider behind the channel port: everything that knows Twilio's form fields,
 * signatures, REST API and media URLs. Opt-outs, receipts, outbound records and retries stay in the
 * channel's services, which call this.
 */
@Injectable()
export class TwilioSmsAdapter implements ChannelPort<SmsAccount, TwilioWebhook, TwilioMedia> {
  readonly channels = ['sms'] as const;

  constructor(
    @InjectConfig(SmsChannelConfig) private readonly config: ConfigOf<typeof SmsChannelConfig>,
    private readonly accounts: SmsAccountService,
    private readonly clients: TwilioClientFactory,
    private readonly media: TwilioMediaService,
  ) {}

  async verifyWebhook(request: ChannelWebhookRequest): Promise<TwilioWebhook> {
    const signature = request.headers['x-twilio-signature'];
    if (signature === undefined) throw new TwilioSignatureError('X-Twilio-Signature is missing');
    const twilioRequest: TwilioWebhookRequest = {
      url: request.url,
      signature,
      params: parseTwilioForm(request.rawBody),
    };
    const url = new URL(request.url);
    if (url.pathname.endsWith('/status')) return this.verifyStatusCallback(twilioRequest, url.searchParams);
    const to = param(twilioRequest.params, 'To');
    const account = await this.accounts.findByRecipient(
      to === null ? null : toE164(to),
      param(twilioRequest.params, 'MessagingServiceSid'),
    );
    // Unknown number and bad signature look alike from outside: neither tells a prober anything.
    if (account === null) throw new TwilioSignatureError('no channel account for this number');
    this.checkSignature(twilioRequest, account);
    return { kind: 'message', account, request: twilioRequest };
  }

  toInboundMessages(webhook: TwilioWebhook): InboundMessageDraft<SmsAccount, TwilioMedia>[] {
    if (webhook.kind !== 'message') return [];
    const { params } = webhook.request;
    const { account } = webhook;
    const messageSid = param(params, 'MessageSid') ?? param(params, 'SmsSid');
    const rawFrom = param(params, 'From');
    if (messageSid === null || rawFrom === null) throw new TwilioSignatureError('not a message webhook');
    // Short codes and alphanumeric senders are not phone numbers: kept as sent.
    const from = toE164(rawFrom) ?? rawFrom.trim();
    const body = param(params, 'Body');
    return [
      {
        account,
        workspaceId: account.workspaceId,
        payload: {
          channel: 'sms',
          channelAccountId: account.id,
          providerMessageId: messageSid,
          // Twilio proved the sender: it delivered from that number.
          sender: { kind: 'phone', address: from, verified: true },
          text: body === null || body === '' ? null : body.slice(0, MAX_MESSAGE_TEXT_LENGTH),
          receivedAt: new Date().toISOString(),
        },
        media: mediaItems(params).map((item) => ({ ...item, messageSid })),
      },
    ];
  }

  toDeliveryStatuses(webhook: TwilioWebhook): DeliveryStatusDraft<SmsAccount>[] {
    if (webhook.kind !== 'status') return [];
    const { params } = webhook.request;
    const status = fromTwilioStatus(param(params, 'MessageStatus') ?? '');
    const providerMessageId = param(params, 'MessageSid') ?? param(params, 'SmsSid');
    if (status === null || providerMessageId === null) return [];
    const errorCode = param(params, 'ErrorCode');
    const failed = status === 'failed' || status === 'undelivered';
    return [
      {
        account: webhook.account,
        workspaceId: webhook.account.workspaceId,
        channel: 'sms',
        messageId: new URL(webhook.request.url).searchParams.get('message') ?? undefined,
        providerMessageId,
        status,
        ...(errorCode ? { errorCode } : {}),
        ...(failed
          ? {
              errorMessage: describeTwilioError(
                errorCode ?? 'unknown',
                'Twilio could not deliver the message.',
              ),
            }
          : {}),
        statusAt: new Date().toISOString(),
      },
    ];
  }

  /** One attempt: the delivery service retries what throws `ChannelUnavailableError`. */
  async send(account: SmsAccount, message: OutboundChannelMessage): Promise<SendOutcome> {
    const { request } = message;
    const text = message.text ?? '';
    const mediaUrl = message.attachments.flatMap((file) => (file.url === undefined ? [] : [file.url]));
    const callback =
      this.config.PUBLIC_BASE_URL === undefined
        ? undefined
        : statusCallbackUrl(this.config.PUBLIC_BASE_URL, account.workspaceId, account.id, request.messageId);
    try {
      const sent = await this.clients.forAccount(account).messages.create({
        to: message.recipient,
        // An MMS may be files alone; Twilio refuses an empty Body only when there is no media.
        ...(text.length > 0 ? { body: text } : {}),
        ...(mediaUrl.length > 0 ? { mediaUrl } : {}),
        ...(account.messagingServiceSid
          ? { messagingServiceSid: account.messagingServiceSid }
          : { from: account.phoneNumber ?? undefined }),
        ...(callback ? { statusCallback: callback } : {}),
      });
      return { ok: true, providerMessageId: sent.sid, status: fromTwilioStatus(sent.status) ?? 'queued' };
    } catch (error) {
      const permanent = permanentTwilioError(error);
      if (permanent) return { ok: false, ...permanent };
      throw new ChannelUnavailableError(`Twilio send failed: ${describe(error)}`, { cause: error });
    }
  }

  /**
   * The message an earlier attempt of this send got Twilio to create, or null if none did. Twilio
   * takes no idempotency key on a send, so the message is recognized by what only it has: sent by
   * this account (its number, or its messaging service) to this recipient, with this body and as
   * many files, created since the first attempt (less `CLOCK_SKEW_MS`, Twilio's clock not being
   * ours), and not a message already recorded for another reply (`isTaken`). The oldest such one:
   * the first attempt's. Throws `ChannelUnavailableError` when Twilio can't be asked: the caller
   * must not send blind (ADR 0093).
   */
  async findSent(
    account: SmsAccount,
    message: OutboundChannelMessage,
    attemptedAt: Date,
    isTaken: (sids: readonly string[]) => Promise<ReadonlySet<string>>,
  ): Promise<(SendOutcome & { ok: true }) | null> {
    const since = attemptedAt.getTime() - CLOCK_SKEW_MS;
    const body = message.text ?? '';
    const media = message.attachments.filter((file) => file.url !== undefined).length;
    const matches: { sid: string; status: string; createdAt: number }[] = [];
    try {
      // Newest first: the recipient's latest messages, where an attempt made since is.
      const listed = await this.clients.forAccount(account).messages.list({
        to: message.recipient,
        ...(account.messagingServiceSid ? {} : { from: account.phoneNumber ?? undefined }),
        pageSize: LOOKUP_LIMIT,
        limit: LOOKUP_LIMIT,
      });
      for (const m of listed) {
        const createdAt = m.dateCreated?.getTime() ?? 0;
        if (
          createdAt >= since &&
          m.direction === 'outbound-api' &&
          m.to === message.recipient &&
          (account.messagingServiceSid
            ? m.messagingServiceSid === account.messagingServiceSid
            : m.from === account.phoneNumber) &&
          (m.body ?? '') === body &&
          Number(m.numMedia ?? '0') === media
        )
          matches.push({ sid: m.sid, status: m.status, createdAt });
      }
    } catch (error) {
      throw new ChannelUnavailableError(`Twilio lookup failed: ${describe(error)}`, { cause: error });
    }
    if (matches.length === 0) return null;
    const taken = await isTaken(matches.map((m) => m.sid));
    const found = matches.filter((m) => !taken.has(m.sid)).sort((a, b) => a.createdAt - b.createdAt)[0];
    if (found === undefined) return null;
    return { ok: true, providerMessageId: found.sid, status: fromTwilioStatus(found.status) ?? 'queued' };
  }

  fetchMedia(account: SmsAccount, media: TwilioMedia): Promise<FetchedChannelMedia | null> {
    return this.media.fetch(account, media.messageSid, media);
  }

  private async verifyStatusCallback(
    request: TwilioWebhookRequest,
    query: URLSearchParams,
  ): Promise<TwilioWebhook> {
    // The callback URL we gave Twilio names the workspace, account and message; its signature
    // (which covers the query) proves them.
    const workspaceId = query.get('workspace') ?? '';
    if (!UUID.test(workspaceId) || !UUID.test(query.get('message') ?? ''))
      throw new TwilioSignatureError('not our callback URL');
    const account = await this.accounts.findById(workspaceId, query.get('account') ?? '');
    if (account === null) throw new TwilioSignatureError('bad signature');
    this.checkSignature(request, account);
    return { kind: 'status', account, request };
  }

  private checkSignature(request: TwilioWebhookRequest, account: SmsAccount): void {
    if (!hasValidSignature(request, account.authToken)) throw new TwilioSignatureError('bad signature');
    if (param(request.params, 'AccountSid') !== account.accountSid)
      throw new TwilioSignatureError('signed for another Twilio account');
  }
}

function mediaItems(params: TwilioWebhookRequest['params']): MediaItem[] {
  const count = Math.min(Number(param(params, 'NumMedia') ?? '0') || 0, MAX_MEDIA);
  const items: MediaItem[] = [];
  for (let i = 0; i < count; i += 1) {
    const url = param(params, `MediaUrl${i}`);
    if (url !== null) items.push({ url, contentType: param(params, `MediaContentType${i}`) });
  }
  return items;
}

/** A Twilio answer that would be the same on retry (4xx other than 429), as an agent-readable reason. */
function permanentTwilioError(error: unknown): { code: string; message: string } | null {
  if (!(error instanceof twilio.RestException)) return null;
  if (error.status === 429 || error.status >= 500) return null;
  const code = error.code === undefined ? `http_${error.status}` : String(error.code);
  return { code, message: describeTwilioError(code, error.message) };
}

function describe(error: unknown): string {
  if (error instanceof twilio.RestException) return `HTTP ${error.status} (code ${error.code ?? 'none'})`;
  return error instanceof Error ? error.message : String(error);
}
