import { Inject, Injectable } from '@nestjs/common';
import {
  type Attachment,
  DeliveryStatusChangedV1,
  type DeliveryStatus,
  type MessageDeliveryRequestedV1,
  type OutboundChannelFile,
  SOCIAL_CHANNEL_LIMITS,
  decideWindow,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import {
  ATTACHMENT_STORE,
  type AttachmentStore,
  DEFAULT_SEND_RETRY,
  type SendRetryPolicy,
  createLogger,
  retryWhileChannelUnavailable,
  workspaceStoreKey,
} from '@switchboard/platform';
import type { SocialAccount, SocialChannel } from '../accounts/social-account.js';
import { SOCIAL_CHANNELS } from '../accounts/social-account.js';
import { SocialAccountService } from '../accounts/social-account.service.js';
import { MetaAdapter } from '../meta/meta.adapter.js';
import { TelegramAdapter } from '../telegram/telegram.adapter.js';
import { CustomerWindowService } from '../windows/customer-window.service.js';

import { SocialOutboundRecordService } from './social-outbound-record.service.js';

/** The provider could not be reached through every attempt; the batch is retried later, in order. */
export class SocialProviderUnavailableError extends Error {
  override readonly name = 'SocialProviderUnavailableError';
}

/** The attachment store could not be read; waited out like a provider outage. */
export class SocialMediaStoreUnavailableError extends Error {
  override readonly name = 'SocialMediaStoreUnavailableError';
}

interface Refusal {
  readonly code: string;
  readonly message: string;
}

/**
 * Delivers agents' replies on WhatsApp, Messenger, Instagram and Telegram through the channel's
 * adapter. Every outcome becomes a DeliveryStatusChangedV1 with our message id: `sent` with the
 * provider's id, or `failed` with a reason an agent can act on. The provider's messaging window is
 * enforced here, before the provider: a reply it would refuse is never silently dropped.
 */
@Injectable()
export class SocialDeliveryService {
  private readonly logger = createLogger('channel-social.delivery');
  retry: SendRetryPolicy = DEFAULT_SEND_RETRY;

  constructor(
    private readonly accounts: SocialAccountService,
    private readonly windows: CustomerWindowService,
    private readonly records: SocialOutboundRecordService,
    private readonly meta: MetaAdapter,
    private readonly telegram: TelegramAdapter,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
    private readonly bus: EventBus,
  ) {}

  handles(channel: string): channel is SocialChannel {
    return SOCIAL_CHANNELS.some((c) => c === channel);
  }

  async deliver(requested: MessageDeliveryRequestedV1): Promise<void> {
    const { channel } = requested.payload;
    if (!this.handles(channel)) return;
    const { workspaceId } = requested;
    const account =
      requested.payload.channelAccountId === null
        ? await this.accounts.findDefault(workspaceId, channel)
        : await this.accounts.findById(workspaceId, requested.payload.channelAccountId);
    if (account === null || account.channel !== channel)
      return this.publishStatus(requested, null, 'failed', undefined, {
        code: 'unknown_channel_account',
        message: `No ${label(channel)} account is connected for this conversation.`,
      });
    const { payload } = requested;
    const text = payload.text ?? '';
    const limits = SOCIAL_CHANNEL_LIMITS[channel];
    if (text.length === 0 && payload.attachments.length === 0 && payload.template === undefined)
      return this.refuse(requested, account, { code: 'empty_message', message: 'The message is empty.' });
    if (payload.template === undefined && text.length > limits.maxTextLength)
      return this.refuse(requested, account, {
        code: 'body_too_long',
        message: `A ${label(channel)} message holds at most ${limits.maxTextLength} characters; this one has ${text.length}.`,
      });

    const template = payload.template;
    if (template !== undefined && channel !== 'whatsapp')
      return this.refuse(requested, account, {
        code: 'template_not_supported',
        message: `Templates are WhatsApp's; ${label(channel)} takes no template.`,
      });
    const recipient = payload.recipient.address;
    const window = decideWindow(
      channel,
      later(
        await this.windows.lastInboundAt(workspaceId, account.id, recipient),
        historyLastInbound(payload, account.id, recipient),
      ),
      new Date(),
      { humanAgentTag: account.settings.humanAgentTag === true },
    );
    if (window.kind === 'closed') return this.refuse(requested, account, window);
    // A template goes whether the window is open or not: it is what WhatsApp allows outside it.
    if (window.kind === 'template_only' && template === undefined)
      return this.refuse(requested, account, {
        code: 'window_closed',
        message:
          'The customer last wrote more than 24 hours ago: WhatsApp allows only an approved template until they write again.',
      });

    const previous = await this.records.claim(account, payload.messageId, recipient);
    // Redelivered after the provider took it: don't send twice, say again where it stands.
    if (previous?.providerMessageId)
      return this.publishStatus(requested, account, previous.status, previous.providerMessageId);

    const files = this.files;
    const attachments: OutboundChannelFile[] = [];
    for (const attachment of payload.attachments) {
      const key = workspaceStoreKey(workspaceId, attachment.storageKey);
      if (key === null)
        return this.refuse(requested, account, {
          code: 'attachment_not_found',
          message: 'A file of this message is not this workspace’s.',
        });
      attachments.push({ attachment, bytes: () => readAll(files, key, attachment) });
    }

    const adapter = channel === 'telegram' ? this.telegram : this.meta;
    return retryWhileChannelUnavailable(
      this.retry,
      async () => {
        const outcome = await adapter.send(account, {
          request: payload,
          recipient,
          // With a template, the text is what agents saw of it: only the template goes.
          text: template === undefined && text.length > 0 ? text : null,
          attachments: template === undefined ? attachments : [],
          options: {
            humanAgentTag: window.kind === 'human_agent',
            ...(template === undefined ? {} : { template }),
          },
        });
        if (!outcome.ok) {
          await this.records.sent(account, payload.messageId, 'failed', null, outcome.code);
          await this.accounts.noteError(account, outcome.message);
          return this.publishStatus(requested, account, 'failed', undefined, outcome);
        }
        await this.records.sent(account, payload.messageId, outcome.status, outcome.providerMessageId, null);
        return this.publishStatus(requested, account, outcome.status, outcome.providerMessageId);
      },
      {
        retrying: (error, attempt) =>
          this.logger.warn(
            { messageId: payload.messageId, attempt, err: error.message },
            'send failed; retrying',
          ),
        giveUp: async (error, attempts) => {
          await this.accounts.noteError(account, error.message).catch(() => undefined);
          return new SocialProviderUnavailableError(
            `${label(channel)} unavailable after ${attempts} attempts: ${error.message}`,
            { cause: error },
          );
        },
      },
    );
  }

  private async refuse(
    request: MessageDeliveryRequestedV1,
    account: SocialAccount,
    refusal: Refusal,
  ): Promise<void> {
    this.logger.info(
      { messageId: request.payload.messageId, code: refusal.code },
      'reply refused before the provider',
    );
    await this.publishStatus(request, account, 'failed', undefined, refusal);
  }

  private async publishStatus(
    request: MessageDeliveryRequestedV1,
    account: SocialAccount | null,
    status: DeliveryStatus,
    providerMessageId: string | undefined,
    error?: Refusal,
  ): Promise<void> {
    const event = DeliveryStatusChangedV1.create({
      workspaceId: request.workspaceId,
      correlationId: request.correlationId,
      payload: {
        channel: request.payload.channel,
        channelAccountId: account?.id ?? null,
        messageId: request.payload.messageId,
        ...(providerMessageId ? { providerMessageId } : {}),
        status,
        ...(error ? { errorCode: error.code, errorMessage: error.message.slice(0, 1000) } : {}),
        statusAt: new Date().toISOString(),
      },
    });
    await this.bus.emit(event);
  }
}

function label(channel: SocialChannel): string {
  return { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram', telegram: 'Telegram' }[
    channel
  ];
}

async function readAll(files: AttachmentStore, key: string, attachment: Attachment): Promise<Buffer> {
  let stored;
  try {
    stored = await files.get(key);
  } catch (error) {
    throw new SocialMediaStoreUnavailableError(
      `could not read ${attachment.storageKey}: ${(error as Error).message}`,
    );
  }
  if (stored === null)
    throw new SocialMediaStoreUnavailableError(`${attachment.storageKey} is not in the store`);
  const chunks: Buffer[] = [];
  for await (const chunk of stored.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * When the customer last wrote to this account from this address as history knew it when it
 * accepted the reply (ADR 0126): the webhook's own window write may not have landed yet, or been
 * lost with the process. Only for the same account and address: a window is per number.
 */
function historyLastInbound(
  payload: MessageDeliveryRequestedV1['payload'],
  accountId: string,
  recipient: string,
): Date | null {
  const last = payload.lastInbound;
  if (last === undefined || last.channelAccountId !== accountId || last.address !== recipient) return null;
  return new Date(last.at);
}

function later(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
