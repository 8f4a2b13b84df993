import { Injectable } from '@nestjs/common';
import {
  type ChannelWebhookRequest,
  type EventEnvelope,
  IdentityOptOutChangedV1,
  InboundMessageReceivedV1,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { countWebhook } from '@switchboard/platform';
import twilio from 'twilio';
import type { SmsAccount } from '../accounts/sms-account.js';
import { TwilioMediaService } from '../media/twilio-media.service.js';
import { detectSmsKeyword } from '../opt-out/sms-keyword.util.js';
import { SmsOptOutService } from '../opt-out/sms-opt-out.service.js';
import { InboundReceiptService } from './inbound-receipt.service.js';
import { TwilioSmsAdapter } from '../twilio/twilio-sms.adapter.js';
import { TwilioSignatureError } from './twilio-webhook.errors.js';

/**
 * A customer's SMS/MMS from Twilio: authenticated against the account its `To` names, published
 * durably (the caller acknowledges only then), once per MessageSid.
 */
@Injectable()
export class InboundSmsService {
  constructor(
    private readonly adapter: TwilioSmsAdapter,
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
  async receive(request: ChannelWebhookRequest): Promise<string> {
    const webhook = await this.adapter.verifyWebhook(request);
    const [draft] = this.adapter.toInboundMessages(webhook);
    if (draft === undefined) throw new TwilioSignatureError('not a message webhook');
    const { account } = webhook;
    const messageSid = draft.payload.providerMessageId;

    // Twilio retries a webhook that timed out or failed; MessageSid is the dedupe key. A receipt is
    // written only after the publish, so a retry after a failed publish publishes again. Two
    // concurrent deliveries may both publish: history stores by (workspace, account, provider id).
    const receipt = { workspaceId: account.workspaceId, channelAccountId: account.id, messageSid };
    if (await this.receipts.wasReceived(receipt)) {
      countWebhook('twilio', 'duplicate');
      return emptyTwiml();
    }

    const receivedAt = new Date(draft.payload.receivedAt);
    const from = draft.payload.sender.address;
    const keyword = detectSmsKeyword(draft.payload.text);

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

    const { attachments, rejected } = await this.media.copyToStorage(account, messageSid, draft.media);
    const hints: Record<string, string> = {};
    if (rejected > 0) hints.mediaRejected = String(rejected);
    const inbound = InboundMessageReceivedV1.create({
      workspaceId: account.workspaceId,
      payload: {
        ...draft.payload,
        attachments,
        ...(Object.keys(hints).length > 0 ? { hints } : {}),
      },
    });
    // The message first: the opt-out event refers to it. One publish, one key: both or neither.
    events.unshift(inbound);
    await this.bus.emit(events);

    await this.receipts.record(receipt);
    countWebhook('twilio', 'accepted');
    return keyword?.kind === 'help' ? helpTwiml(account) : emptyTwiml();
  }
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
