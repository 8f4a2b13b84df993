import { Injectable } from '@nestjs/common';
import {
  type ChannelWebhookRequest,
  type EventEnvelope,
  IdentityOptOutChangedV1,
  InboundMessageReceivedV1,
  inboundEventId,
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
 * durably (the caller acknowledges only then), as one event per MessageSid (ADR 0037).
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

    const keyword = detectSmsKeyword(draft.payload.text);
    const changesOptOut = keyword?.kind === 'opt-out' || keyword?.kind === 'opt-in';

    // Twilio retries a webhook that timed out or failed, with the same MessageSid. The message's
    // event id is named by it (ADR 0037, as ADR 0036 for social): a retry published again is the
    // same event, and history stores it once by its natural key. So a text is published at once,
    // its one round trip the publish. Receipts, written only after the publish (a retry after a
    // failed publish publishes again), are kept where a retry must not repeat a side effect: MMS
    // (its media fetched and stored once) and STOP/START (a late retry of STOP must not undo a
    // START sent since, nor publish a second opt-out change).
    const receipt = { workspaceId: account.workspaceId, channelAccountId: account.id, messageSid };
    const keepsReceipt = draft.media.length > 0 || changesOptOut;
    if (keepsReceipt && (await this.receipts.wasReceived(receipt))) {
      countWebhook('twilio', 'duplicate');
      return emptyTwiml();
    }

    const receivedAt = new Date(draft.payload.receivedAt);
    const from = draft.payload.sender.address;

    const events: EventEnvelope[] = [];
    if (changesOptOut) {
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
      id: inboundEventId(account.id, messageSid),
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

    if (keepsReceipt) await this.receipts.record(receipt);
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
