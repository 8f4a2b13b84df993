import { Injectable } from '@nestjs/common';
import {
  DeliveryStatusChangedV1,
  type DeliveryStatus,
  type MessageDeliveryRequestedV1,
  toE164,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import {
  DEFAULT_SEND_RETRY,
  type SendRetryPolicy,
  createLogger,
  retryWhileChannelUnavailable,
} from '@switchboard/platform';
import { SmsAccountService } from '../accounts/sms-account.service.js';
import { MmsMediaService } from '../media/mms-media.service.js';
import { SmsOutboundRecordService } from './sms-outbound-record.service.js';
import { TwilioSmsAdapter } from '../twilio/twilio-sms.adapter.js';

/** Twilio's limit on one message's body; longer ones are refused, not split (see ADR 0031). */
export const MAX_SMS_BODY_LENGTH = 1_600;

/** Twilio could not be reached or was overloaded through every attempt; the batch is retried later. */
export class TwilioUnavailableError extends Error {
  override readonly name = 'TwilioUnavailableError';
}

/** A request refused before it reached Twilio, or refused by Twilio for good. */
interface Refusal {
  readonly code: string;
  readonly message: string;
}

/**
 * Delivers agents' replies by SMS through the account's `twilio` client. Every outcome becomes a
 * DeliveryStatusChangedV1 carrying our message id: `queued` with Twilio's sid, or `failed` with a
 * reason an agent can act on. Refusals (opted out, too long, unknown account, files MMS can't carry)
 * never reach Twilio, which is spoken to only through the channel port (`TwilioSmsAdapter`). Agents' files go as MMS media, by URLs Twilio fetches from us.
 */
@Injectable()
export class SmsDeliveryService {
  private readonly logger = createLogger('channel-sms.delivery');
  retry: SendRetryPolicy = DEFAULT_SEND_RETRY;

  constructor(
    private readonly accounts: SmsAccountService,
    private readonly records: SmsOutboundRecordService,
    private readonly twilio: TwilioSmsAdapter,
    private readonly media: MmsMediaService,
    private readonly bus: EventBus,
  ) {}

  async deliver(requested: MessageDeliveryRequestedV1): Promise<void> {
    if (requested.payload.channel !== 'sms') return;
    const { workspaceId } = requested;
    // No account named (a first message to someone who never texted us): the workspace's default.
    const account =
      requested.payload.channelAccountId === null
        ? await this.accounts.findDefault(workspaceId)
        : await this.accounts.findById(workspaceId, requested.payload.channelAccountId);
    if (account === null)
      return this.refuse(requested, {
        code: 'unknown_channel_account',
        message:
          requested.payload.channelAccountId === null
            ? 'No SMS number is set up in this workspace.'
            : 'This SMS number is no longer set up.',
      });
    // From here on every status names the account that sent it.
    const request = { ...requested, payload: { ...requested.payload, channelAccountId: account.id } };
    const { payload } = request;
    const recipient = toE164(payload.recipient.address);
    if (recipient === null)
      return this.refuse(request, {
        code: 'invalid_recipient',
        message: 'The customer’s number is not a phone number.',
      });
    const text = payload.text ?? '';
    if (text.length === 0 && payload.attachments.length === 0)
      return this.refuse(request, { code: 'empty_message', message: 'The message is empty.' });
    if (text.length > MAX_SMS_BODY_LENGTH)
      return this.refuse(request, {
        code: 'body_too_long',
        message: `An SMS holds at most ${MAX_SMS_BODY_LENGTH} characters; this one has ${text.length}. Shorten it or send it in parts.`,
      });
    // The opt-out check, the claim and (a text, sent at once) its first attempt: one statement.
    const claim = await this.records.claim(
      workspaceId,
      payload.messageId,
      account.id,
      recipient,
      payload.attachments.length === 0,
    );
    if (claim.optedOut)
      return this.refuse(request, {
        code: 'recipient_opted_out',
        message: 'The customer replied STOP: they can’t be texted until they reply START.',
      });
    const { previous } = claim;
    if (previous?.providerMessageId) {
      // Redelivered after Twilio took it: don't send twice, say again where it stands.
      return this.publishStatus(request, previous.status, previous.providerMessageId);
    }
    // Agents' files go as MMS, each by a URL Twilio fetches from us (ADR 0034). Checked after the
    // claim, so a redelivered reply Twilio already took is never refused after the fact.
    let mediaUrl: string[] = [];
    if (payload.attachments.length > 0) {
      const media = await this.media.prepare(workspaceId, payload.attachments, text);
      if (!media.ok) {
        await this.records.advance(workspaceId, payload.messageId, 'failed', null, media.code);
        return this.refuse(request, media);
      }
      mediaUrl = media.mediaUrls;
    }
    const message = {
      request: payload,
      recipient,
      text: text.length > 0 ? text : null,
      attachments: mediaUrl.map((url, i) => ({ attachment: payload.attachments[i]!, url })),
    };
    // Twilio takes no idempotency key. An earlier attempt (this process's, whose answer was lost,
    // or a killed one's: the claim holds its time and no SID) may have got through: before
    // sending again, look the message up at Twilio, and record it if it is there (ADR 0093).
    let attemptedAt = previous?.sendAttemptedAt ?? null;
    // The claim stamped this first attempt already: it goes without a lookup or a statement of its own.
    let stamped = claim.attemptedAt;

    return retryWhileChannelUnavailable(
      this.retry,
      async () => {
        if (attemptedAt !== null) {
          const found = await this.twilio.findSent(account, message, attemptedAt, (sids) =>
            this.records.claimedSids(workspaceId, sids),
          );
          if (found !== null) {
            this.logger.info(
              { messageId: payload.messageId, providerMessageId: found.providerMessageId },
              'an earlier attempt reached Twilio; recorded, not sent again',
            );
            await this.records.advance(
              workspaceId,
              payload.messageId,
              found.status,
              found.providerMessageId,
              null,
            );
            return this.publishStatus(request, found.status, found.providerMessageId);
          }
        }
        // Durable before Twilio is called: a crash from here on is looked up, not sent blind.
        if (stamped === null) attemptedAt = await this.records.markAttempt(workspaceId, payload.messageId);
        else [attemptedAt, stamped] = [stamped, null];
        const outcome = await this.twilio.send(account, message);
        if (!outcome.ok) {
          await this.records.advance(workspaceId, payload.messageId, 'failed', null, outcome.code);
          return this.publishStatus(request, 'failed', undefined, outcome);
        }
        await this.records.advance(
          workspaceId,
          payload.messageId,
          outcome.status,
          outcome.providerMessageId,
          null,
        );
        return this.publishStatus(request, outcome.status, outcome.providerMessageId);
      },
      {
        retrying: (error, attempt) =>
          this.logger.warn(
            { messageId: payload.messageId, attempt, err: error.message },
            'Twilio send failed; retrying',
          ),
        giveUp: (error, attempts) =>
          new TwilioUnavailableError(`Twilio unavailable after ${attempts} attempts: ${error.message}`, {
            cause: error,
          }),
      },
    );
  }

  private async refuse(request: MessageDeliveryRequestedV1, refusal: Refusal): Promise<void> {
    this.logger.info(
      { messageId: request.payload.messageId, code: refusal.code },
      'SMS refused before Twilio',
    );
    await this.publishStatus(request, 'failed', undefined, refusal);
  }

  private async publishStatus(
    request: MessageDeliveryRequestedV1,
    status: DeliveryStatus,
    providerMessageId: string | undefined,
    error?: Refusal,
  ): Promise<void> {
    const event = DeliveryStatusChangedV1.create({
      workspaceId: request.workspaceId,
      correlationId: request.correlationId,
      payload: {
        channel: 'sms',
        channelAccountId: request.payload.channelAccountId,
        messageId: request.payload.messageId,
        ...(providerMessageId ? { providerMessageId } : {}),
        status,
        ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
        statusAt: new Date().toISOString(),
      },
    });
    await this.bus.emit(event);
  }
}
