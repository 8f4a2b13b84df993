import { Injectable } from '@nestjs/common';
import {
  type EventEnvelope,
  IdentityOptOutChangedV1,
  InboundMessageReceivedV1,
  MAX_MESSAGE_TEXT_LENGTH,
  toE164,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import twilio from 'twilio';
import type { SmsAccount } from '../accounts/sms-account.js';
import { SmsAccountService } from '../accounts/sms-account.service.js';
import { type MediaItem, TwilioMediaService } from '../media/twilio-media.service.js';
import { detectSmsKeyword } from '../opt-out/sms-keyword.util.js';
import { SmsOptOutService } from '../opt-out/sms-opt-out.service.js';
import { InboundReceiptService } from './inbound-receipt.service.js';
import { type TwilioWebhookRequest, hasValidSignature, param } from './twilio-webhook-request.js';
import { TwilioSignatureError } from './twilio-webhook.errors.js';

/** MMS carries at most 10 media; Twilio numbers them MediaUrl0..9. */
const MAX_MEDIA = 10;

/**
 * A customer's SMS/MMS from Twilio: authenticated against the account its `To` names, published
 * durably (the caller acknowledges only then), once per MessageSid.
 */
@Injectable()
export class InboundSmsService {
  constructor(
    private readonly accounts: SmsAccountService,
    private readonly optOuts: SmsOptOutService,
    private readonly media: TwilioMediaService,
    private readonly receipts: InboundReceiptService,
    private readonly bus: EventBus,
  ) {}

  /**
   * Resolves with the TwiML to answer. Throws `TwilioSignatureError` (403) for a request not signed
   * by the account it names, and `EventBusUnavailableError` (503: Twilio retries) when the message
   * could not be made durable.
   */
  async receive(request: TwilioWebhookRequest): Promise<string> {
    const { params } = request;
    const account = await this.authenticate(request);
    const messageSid = param(params, 'MessageSid') ?? param(params, 'SmsSid');
    const rawFrom = param(params, 'From');
    if (messageSid === null || rawFrom === null) throw new TwilioSignatureError('not a message webhook');

    // Twilio retries a webhook that timed out or failed; MessageSid is the dedupe key. A receipt is
    // written only after the publish, so a retry after a failed publish publishes again. Two
    // concurrent deliveries may both publish: history stores by (workspace, account, provider id).
    const receipt = { workspaceId: account.workspaceId, channelAccountId: account.id, messageSid };
    if (await this.receipts.wasReceived(receipt)) return emptyTwiml();

    const receivedAt = new Date();
    // Short codes and alphanumeric senders are not phone numbers: kept as sent.
    const from = toE164(rawFrom) ?? rawFrom.trim();
    const body = param(params, 'Body');
    const keyword = detectSmsKeyword(body);

    const events: EventEnvelope[] = [];
    if (keyword?.kind === 'opt-out' || keyword?.kind === 'opt-in') {
      const optedOut = keyword.kind === 'opt-out';
      // Before the publish: replies are refused from this moment, even if the publish fails.
      await this.optOuts.record(account.workspaceId, from, optedOut, keyword.keyword, receivedAt);
      events.push(
        IdentityOptOutChangedV1.create({
          workspaceId: account.workspaceId,
          payload: {
            channel: 'sms',
            channelAccountId: account.id,
            identity: { kind: 'phone', address: from },
            optedOut,
            keyword: keyword.keyword,
            providerMessageId: messageSid,
            changedAt: receivedAt.toISOString(),
          },
        }),
      );
    }

    const { attachments, rejected } = await this.media.copyToStorage(account, messageSid, mediaItems(params));
    const hints: Record<string, string> = {};
    if (rejected > 0) hints.mediaRejected = String(rejected);
    const inbound = InboundMessageReceivedV1.create({
      workspaceId: account.workspaceId,
      payload: {
        channel: 'sms',
        channelAccountId: account.id,
        providerMessageId: messageSid,
        // Twilio proved the sender: it delivered from that number.
        sender: { kind: 'phone', address: from, verified: true },
        text: body === null || body === '' ? null : body.slice(0, MAX_MESSAGE_TEXT_LENGTH),
        attachments,
        receivedAt: receivedAt.toISOString(),
        ...(Object.keys(hints).length > 0 ? { hints } : {}),
      },
    });
    // The message first: the opt-out event refers to it. One publish, one key: both or neither.
    events.unshift(inbound);
    await this.bus.emit(events);

    await this.receipts.record(receipt);
    return keyword?.kind === 'help' ? helpTwiml(account) : emptyTwiml();
  }

  /** The account the request names by `To` (or its messaging service), if the signature is that account's. */
  async authenticate(request: TwilioWebhookRequest): Promise<SmsAccount> {
    const to = param(request.params, 'To');
    const account = await this.accounts.findByRecipient(
      to === null ? null : toE164(to),
      param(request.params, 'MessagingServiceSid'),
    );
    // Unknown number and bad signature look alike from outside: neither tells a prober anything.
    if (account === null) throw new TwilioSignatureError('no channel account for this number');
    if (!hasValidSignature(request, account.authToken)) throw new TwilioSignatureError('bad signature');
    if (param(request.params, 'AccountSid') !== account.accountSid)
      throw new TwilioSignatureError('signed for another Twilio account');
    return account;
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

const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();

/** `<Response/>`: acknowledged, nothing to send back. */
export function emptyTwiml(): string {
  return EMPTY_TWIML;
}

function helpTwiml(account: SmsAccount): string {
  const response = new twilio.twiml.MessagingResponse();
  response.message(
    account.helpText ??
      `You are texting ${account.phoneNumber ?? 'us'}. Reply with your question and a person will answer. Reply STOP to opt out.`,
  );
  return response.toString();
}
