import type { Attachment, Channel } from '../channels.js';
import type { DeliveryStatus } from '../events/delivery-status-changed.event.js';
import type { InboundMessageReceivedV1Payload } from '../events/inbound-message-received.event.js';
import type { MessageDeliveryRequestedV1Payload } from '../events/message-delivery-requested.event.js';

/**
 * The contract every messaging channel's provider adapter implements (ADR 0070): the only code that
 * knows a provider's wire format, signatures and API. What is common to every channel — deduplicating
 * retries, keeping media in the attachment store, publishing durably before acknowledging, refusing
 * with a delivery status an agent can read — lives in the channel app around it, so a new provider
 * is a new folder implementing this port, with its own fixtures and tests.
 *
 * `TAccount` is the channel account as its app stores it (credentials opened); `TWebhook` what
 * `verifyWebhook` proved; `TMedia` how a webhook names a file to fetch (a URL, a media id, a file id).
 */
export interface ChannelPort<TAccount, TWebhook, TMedia> {
  /** The channels this adapter speaks for (Meta's adapter speaks for three). */
  readonly channels: readonly Channel[];

  /**
   * Proves the webhook came from the provider, for the account it names, over the bytes as they
   * arrived. Throws `WebhookVerificationError` (403, nothing published) when it didn't.
   */
  verifyWebhook(request: ChannelWebhookRequest): Promise<TWebhook>;

  /** The customer messages a verified webhook carries, in order; none for a status-only webhook. */
  toInboundMessages(webhook: TWebhook): InboundMessageDraft<TAccount, TMedia>[];

  /** The receipts for our own messages a verified webhook carries, in order. */
  toDeliveryStatuses(webhook: TWebhook): DeliveryStatusDraft<TAccount>[];

  /**
   * Statuses a provider gives by watermark rather than by message id (Messenger and Instagram's
   * `read` and `delivery`): every message sent to the recipient up to a time. Optional: most
   * providers name each message.
   */
  toStatusWatermarks?(webhook: TWebhook): StatusWatermarkDraft<TAccount>[];

  /**
   * Sends one agent's message. Resolves with the provider's id, or a refusal the provider would
   * repeat on retry (an agent can read its message); throws `ChannelUnavailableError` for what may
   * work later (timeouts, 429, 5xx), which the app retries.
   */
  send(account: TAccount, message: OutboundChannelMessage): Promise<SendOutcome>;

  /**
   * The bytes of a file a webhook named, from the provider's own media host only, with the
   * account's credentials, bounded in size and time. Null when refused for good (not the
   * provider's, too large, gone); throws `TransientMediaError` when a retry may succeed.
   */
  fetchMedia(account: TAccount, media: TMedia): Promise<FetchedChannelMedia | null>;
}

/** A webhook exactly as it arrived: every provider's proof is computed over these. */
export interface ChannelWebhookRequest {
  /** The URL the provider called (the public one, not what a proxy forwards to). */
  readonly url: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body's bytes as sent: a signature covers these, not a re-serialisation of them. */
  readonly rawBody: Buffer;
}

/** One customer message, before its media are fetched and it is published. */
export interface InboundMessageDraft<TAccount, TMedia> {
  readonly account: TAccount;
  readonly workspaceId: string;
  /** The event's payload; attachments are filled from `media` by the app once stored. */
  readonly payload: Omit<InboundMessageReceivedV1Payload, 'attachments'>;
  readonly media: readonly TMedia[];
}

/** A provider receipt for one of our messages. */
/** Every message sent from `account` to `recipient` at or before `upTo` reached `status`. */
export interface StatusWatermarkDraft<TAccount> {
  readonly account: TAccount;
  readonly workspaceId: string;
  readonly channel: Channel;
  readonly recipient: string;
  readonly status: DeliveryStatus;
  readonly upTo: string;
}

export interface DeliveryStatusDraft<TAccount> {
  readonly account: TAccount;
  readonly workspaceId: string;
  readonly channel: Channel;
  /** Our id when the provider echoes it (Twilio's callback URL); else found by `providerMessageId`. */
  readonly messageId?: string;
  readonly providerMessageId: string;
  readonly status: DeliveryStatus;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly statusAt: string;
}

/** What a channel is asked to send: the delivery request, its files' bytes readable by key. */
export interface OutboundChannelMessage {
  readonly request: MessageDeliveryRequestedV1Payload;
  /** The recipient's address as the provider knows it (E.164, PSID, chat id). */
  readonly recipient: string;
  readonly text: string | null;
  readonly attachments: readonly OutboundChannelFile[];
  /** Settings the app decided (a WhatsApp template, Messenger's HUMAN_AGENT tag). */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** A file to send: a public URL the provider fetches from us (MMS), or its bytes (uploads). */
export interface OutboundChannelFile {
  readonly attachment: Attachment;
  readonly url?: string;
  readonly bytes?: () => Promise<Buffer>;
}

export type SendOutcome =
  | { readonly ok: true; readonly providerMessageId: string; readonly status: DeliveryStatus }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface FetchedChannelMedia {
  readonly body: Buffer;
  /** As the provider declared it; the app trusts only the type the bytes show where it can tell. */
  readonly contentType: string | null;
  readonly fileName?: string;
}

/** The request is not provably from the provider for the account it names: 403, nothing published. */
export class WebhookVerificationError extends Error {
  override readonly name: string = 'WebhookVerificationError';
}

/** The provider could not be reached or was overloaded; the same send may work later. */
export class ChannelUnavailableError extends Error {
  override readonly name: string = 'ChannelUnavailableError';
}

/** A media download that may work when the provider retries the webhook (timeout, 5xx, network). */
export class TransientMediaError extends Error {
  override readonly name: string = 'TransientMediaError';
}
