import { Inject, Injectable } from '@nestjs/common';
import {
  type Attachment,
  type ChannelPort,
  type ChannelWebhookRequest,
  type DeliveryStatusDraft,
  DeliveryStatusChangedV1,
  InboundMessageReceivedV1,
  TransientMediaError,
  inboundEventId,
  type EventEnvelope,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { ATTACHMENT_STORE, type AttachmentStore, createLogger, storeKey } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { SocialAccount } from '../accounts/social-account.js';
import { SocialAccountService } from '../accounts/social-account.service.js';
import { contentTypeFromBytes } from '../media/bounded-download.util.js';
import { UnknownRecipientCounter } from '../metrics/unknown-recipient.counter.js';
import { SocialOutboundRecordService } from '../outbound/social-outbound-record.service.js';
import { CustomerWindowService } from '../windows/customer-window.service.js';
import { SocialReceiptService, receiptKey } from './social-receipt.service.js';

/** What a verified webhook had in it. */
export interface ReceiveResult {
  readonly published: number;
  readonly duplicates: number;
  readonly statuses: number;
  readonly unknownRecipients: readonly string[];
}

/**
 * What every social channel does with a webhook, around its adapter (ADR 0070): verify, copy media
 * into the attachment store (skipping what was acknowledged before), publish the messages and
 * statuses in one publish under ids named by the messages (ADR 0036), record the customers'
 * windows (not waited for unless their writes fail, ADR 0126); the caller acknowledges only after. Throws the adapter's `WebhookVerificationError` (403) and
 * `MalformedWebhookError` (400), `TransientMediaError` and the bus's unavailability (503: the
 * provider retries).
 */
@Injectable()
export class SocialInboundService {
  private readonly logger = createLogger('channel-social.inbound');

  constructor(
    private readonly accounts: SocialAccountService,
    private readonly receipts: SocialReceiptService,
    private readonly windows: CustomerWindowService,
    private readonly records: SocialOutboundRecordService,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
    private readonly bus: EventBus,
    private readonly unknownRecipientCounter: UnknownRecipientCounter,
  ) {}

  async receive<TWebhook, TMedia>(
    adapter: ChannelPort<SocialAccount, TWebhook, TMedia>,
    request: ChannelWebhookRequest,
    unknownRecipients: (webhook: TWebhook) => readonly string[] = () => [],
  ): Promise<ReceiveResult> {
    const webhook = await adapter.verifyWebhook(request);
    const unknown = unknownRecipients(webhook);
    if (unknown.length > 0) {
      // Answered 200 all the same: Meta disables a webhook that keeps failing.
      this.unknownRecipientCounter.add(adapter.channels.includes('telegram') ? 'telegram' : 'meta');
      this.logger.warn(
        { recipients: unknown.slice(0, 10) },
        'webhook for a recipient no workspace connected',
      );
    }

    const drafts = adapter.toInboundMessages(webhook);
    const keys = drafts.map((d) => ({
      channelAccountId: d.account.id,
      providerId: d.payload.providerMessageId,
    }));
    // The windows move alongside the publish (moving one forward again on a retry changes nothing).
    // The acknowledgement does not wait for them (ADR 0126): the message on the log is what a
    // window follows from, and a reply's delivery request carries it from history. Only while the
    // window writes fail (the database away) is this webhook's awaited, and answered 503.
    const touched = this.windows.touch(
      drafts.map((d) => ({
        workspaceId: d.workspaceId,
        channelAccountId: d.account.id,
        address: d.payload.sender.address,
        at: new Date(d.payload.receivedAt),
      })),
    );
    // Logged by the service once per failed write; awaited below only while the writes fail.
    touched.catch(() => undefined);
    // Every message's event id is named by its account and provider id (ADR 0036): a retry that is
    // published again is the same event, one message downstream (history dedupes by that natural
    // key). So a webhook of texts is published at once, its one round trip the publish, with no
    // receipt to look up before it nor write after. A webhook with media still looks its receipts
    // up first: a retry of one acknowledged must not fetch and store its files a second time.
    const withMedia = drafts.some((d) => d.media.length > 0);
    const seen = withMedia ? await this.receipts.received(keys) : new Set<string>();
    const events: EventEnvelope[] = [];
    const fresh: typeof keys = [];
    const inBatch = new Set<string>();
    for (const [i, draft] of drafts.entries()) {
      const key = keys[i]!;
      // A retry of a webhook acknowledged before, or the same message twice in one POST.
      if (seen.has(receiptKey(key)) || inBatch.has(receiptKey(key))) continue;
      inBatch.add(receiptKey(key));
      const { attachments, rejected } = await this.storeMedia(adapter, draft.account, draft.media);
      const hints = { ...draft.payload.hints, ...(rejected > 0 ? { mediaRejected: String(rejected) } : {}) };
      events.push(
        InboundMessageReceivedV1.create({
          id: inboundEventId(key.channelAccountId, key.providerId),
          workspaceId: draft.workspaceId,
          payload: { ...draft.payload, attachments, ...(Object.keys(hints).length > 0 ? { hints } : {}) },
        }),
      );
      fresh.push(key);
    }

    const advances: { messageId: string; draft: DeliveryStatusDraft<SocialAccount> }[] = [];
    for (const draft of adapter.toDeliveryStatuses(webhook)) {
      // Meta names its own id only: ours is found by it. A receipt that doesn't move the message
      // forward (late, repeated) is dropped; a read without a delivered is fine. Checked before and
      // recorded after the publish, so a failed publish is retried by the provider.
      const advance = await this.records.wouldAdvance(draft.account, draft.providerMessageId, draft.status);
      if (advance === null) continue;
      advances.push({ ...advance, draft });
      events.push(
        DeliveryStatusChangedV1.create({
          workspaceId: draft.workspaceId,
          payload: {
            channel: draft.channel,
            channelAccountId: draft.account.id,
            messageId: advance.messageId,
            providerMessageId: draft.providerMessageId,
            status: draft.status,
            ...(draft.errorCode === undefined ? {} : { errorCode: draft.errorCode }),
            ...(draft.errorMessage === undefined ? {} : { errorMessage: draft.errorMessage }),
            statusAt: draft.statusAt,
          },
        }),
      );
    }

    for (const mark of adapter.toStatusWatermarks?.(webhook) ?? []) {
      const covered = new Set(
        advances.filter((a) => a.draft.account === mark.account).map((a) => a.draft.providerMessageId),
      );
      for (const sent of await this.records.upTo(mark.account, mark.recipient, mark.upTo, mark.status)) {
        if (covered.has(sent.providerMessageId)) continue;
        const draft: DeliveryStatusDraft<SocialAccount> = {
          account: mark.account,
          workspaceId: mark.workspaceId,
          channel: mark.channel,
          providerMessageId: sent.providerMessageId,
          status: mark.status,
          statusAt: mark.upTo,
        };
        advances.push({ messageId: sent.messageId, draft });
        events.push(
          DeliveryStatusChangedV1.create({
            workspaceId: mark.workspaceId,
            payload: {
              channel: mark.channel,
              channelAccountId: mark.account.id,
              messageId: sent.messageId,
              providerMessageId: sent.providerMessageId,
              status: mark.status,
              statusAt: mark.upTo,
            },
          }),
        );
      }
    }

    if (events.length > 0) await this.bus.emit(events);
    await Promise.all([
      this.windows.failing ? touched : undefined,
      withMedia ? this.receipts.record(fresh) : undefined,
    ]);
    // Together, not one round trip after another (Meta batches up to 1,000 statuses).
    await Promise.all(
      advances.map(({ draft }) =>
        this.records.advance(draft.account, draft.providerMessageId, draft.status, draft.errorCode ?? null),
      ),
    );
    for (const account of new Set(drafts.map((d) => d.account))) this.accounts.noteWebhook(account);
    return {
      published: fresh.length,
      duplicates: drafts.length - fresh.length,
      statuses: advances.length,
      unknownRecipients: unknown,
    };
  }

  /** Each file from the provider's host into `social-media/<workspace>/<uuid>`, durable before the publish. */
  private async storeMedia<TMedia>(
    adapter: ChannelPort<SocialAccount, unknown, TMedia>,
    account: SocialAccount,
    media: readonly TMedia[],
  ): Promise<{ attachments: Attachment[]; rejected: number }> {
    const attachments: Attachment[] = [];
    let rejected = 0;
    for (const item of media) {
      const fetched = await adapter.fetchMedia(account, item);
      if (fetched === null) {
        rejected += 1;
        continue;
      }
      const storageKey = storeKey('social-media', account.workspaceId, randomUUID());
      const contentType = contentTypeFromBytes(fetched.body, fetched.contentType);
      try {
        await this.files.put(storageKey, fetched.body, { size: fetched.body.length, contentType });
      } catch (error) {
        throw new TransientMediaError(`could not store media: ${(error as Error).message}`);
      }
      attachments.push({
        storageKey,
        contentType,
        sizeBytes: fetched.body.length,
        ...(fetched.fileName ? { fileName: fetched.fileName.slice(0, 500) } : {}),
      });
    }
    return { attachments, rejected };
  }
}
