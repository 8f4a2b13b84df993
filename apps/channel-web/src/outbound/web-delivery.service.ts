import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type BotHoldChangedV1,
  type ConversationStatusChangedV1,
  DeliveryStatusChangedV1,
  HISTORY_API,
  isBotAnswerSender,
  type HistoryApi,
  type MessageDeliveryRequestedV1,
  type ParticipantActivityV1,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { createLogger } from '@switchboard/platform';
import { WebAttachmentService } from '../attachments/web-attachment.service.js';
import type { WebContact } from '../contacts/web-contact.js';
import { WebContactService } from '../contacts/web-contact.service.js';
import { DeliveryReceiptsService } from './delivery-receipts.service.js';
import { TranscriptNotifierService } from '../transcript/transcript-notifier.service.js';
import type { NewTranscriptItem, TranscriptAttachment } from '../transcript/transcript-item.js';
import type { TranscriptNotice } from '../transcript/transcript-notice.js';
import { type AppendEntry, type AppendResult, TranscriptService } from '../transcript/transcript.service.js';

/**
 * What the platform sends to web customers: agents' replies (kept in the transcript, so they reach
 * every open tab now and show on the next visit otherwise), the CSAT prompt when a conversation is
 * resolved, and agents' typing and read receipts.
 */
@Injectable()
export class WebDeliveryService {
  private readonly logger = createLogger('channel-web.delivery');

  constructor(
    private readonly contacts: WebContactService,
    private readonly transcript: TranscriptService,
    private readonly notifier: TranscriptNotifierService,
    private readonly bus: EventBus,
    private readonly receipts: DeliveryReceiptsService,
    private readonly attachments: WebAttachmentService,
    @Optional() @Inject(HISTORY_API) private readonly history: HistoryApi | null,
  ) {}

  /**
   * A batch of one partition: every reply stored in the recipients' transcripts in one transaction
   * (each recipient's in order), then every resulting status in one publish. The batch is
   * committed only after all of it; a redelivered batch finds its items stored and reports nothing.
   */
  async deliverBatch(events: readonly MessageDeliveryRequestedV1[]): Promise<void> {
    const web = events.filter((event) => event.payload.channel === 'web');
    const statuses: DeliveryStatusChangedV1[] = [];
    const sent: DeliveryStatusChangedV1[] = [];
    const byWorkspace = new Map<string, MessageDeliveryRequestedV1[]>();
    for (const event of web) {
      const events = byWorkspace.get(event.workspaceId);
      if (events) events.push(event);
      else byWorkspace.set(event.workspaceId, [event]);
    }
    for (const [workspaceId, workspaceEvents] of byWorkspace) {
      if (workspaceEvents.every((event) => event.payload.attachments.length === 0)) {
        // No attachment to grant first: the recipients are found as the replies are stored, in
        // one round trip (ADR 0154).
        const results = await this.transcript.deliverMany(
          workspaceId,
          workspaceEvents.map((event) => ({
            recipient: event.payload.recipient,
            link: { customerId: event.payload.customerId, conversationId: event.payload.conversationId },
            item: transcriptItem(event, []),
          })),
        );
        results.forEach((result, i) => {
          if (result === null) statuses.push(unknownRecipient(workspaceEvents[i]!));
          else if (result.created) sent.push(statusOf(workspaceEvents[i]!, 'sent'));
        });
        this.announceCommitted(results);
        continue;
      }
      const byAddress = await this.contacts.findManyByAddress(
        workspaceId,
        workspaceEvents.map((e) => e.payload.recipient),
      );
      const requests: MessageDeliveryRequestedV1[] = [];
      const recipients: WebContact[] = [];
      for (const event of workspaceEvents) {
        const { payload } = event;
        const contact = byAddress.get(`${payload.recipient.kind}|${payload.recipient.address}`);
        if (!contact) {
          statuses.push(unknownRecipient(event));
          continue;
        }
        requests.push(event);
        recipients.push(contact);
      }
      // Granted before the transcript shows them: the recipient can download them once it sees them.
      const attachments = await this.attachments.grantDelivered(
        workspaceId,
        requests.map((event, i) => ({ contact: recipients[i]!, attachments: event.payload.attachments })),
      );
      const entries: AppendEntry[] = requests.map((event, i) => ({
        contact: recipients[i]!,
        link: { customerId: event.payload.customerId, conversationId: event.payload.conversationId },
        item: transcriptItem(event, attachments[i]!),
      }));
      const results = await this.transcript.appendMany(entries);
      // Stored: it reaches the customer on this visit or the next; `delivered` follows when a socket gets it.
      results.forEach((result, i) => {
        if (result.created) sent.push(statusOf(requests[i]!, 'sent'));
      });
      this.announceCommitted(results);
    }
    // Failures are durable before the batch is committed; `sent` goes out with the receipts.
    if (statuses.length > 0) await this.bus.emit(statuses);
    this.receipts.sent(sent);
  }

  /**
   * The items a batch's append (its own statement, committed when it returns) numbered, to this
   * replica's sockets at once, in the order stored (ADR 0157); other replicas hear of them by NOTIFY.
   * Items stored before (a redelivered batch) were announced when they were stored.
   */
  private announceCommitted(results: readonly (AppendResult | null)[]): void {
    const notices: TranscriptNotice[] = [];
    for (const result of results)
      if (result?.created) notices.push({ kind: 'item', contactId: result.contactId, item: result.item });
    if (notices.length > 0) this.notifier.announceCommitted(notices);
  }

  /**
   * A resolved conversation asks its web contacts for a rating, once per conversation (the item id
   * is the conversation's: resolving again after a reopen asks nothing new). A merge that resolved
   * the source's open conversation ended nothing — the chat goes on in the target's — so it asks
   * nothing either.
   */
  async conversationStatusChanged(event: ConversationStatusChangedV1): Promise<void> {
    const { payload, workspaceId } = event;
    if (payload.status !== 'resolved' || payload.cause === 'merge') return;
    for (const contact of await this.contactsOfCustomer(workspaceId, payload.customerId)) {
      await this.transcript.append(contact, {
        id: `csat:${payload.conversationId}`,
        kind: 'csat',
        dir: 'out',
        text: null,
        attachments: [],
        author: null,
        conversationId: payload.conversationId,
      });
    }
  }

  /**
   * Routing holds a web conversation for a bot: the customer may ask for a person from now on,
   * before the bot's first answer (ADR 0083), until it leaves the bot (hand-off, timeout,
   * takeover). Once each per conversation (the item ids are the conversation's).
   */
  async botHoldChanged(event: BotHoldChangedV1): Promise<void> {
    const { payload, workspaceId } = event;
    if (payload.channel !== 'web') return;
    for (const contact of await this.contactsOfCustomer(workspaceId, payload.customerId)) {
      await this.transcript.append(contact, {
        id: `${payload.held ? 'bot' : 'bot-released'}:${payload.conversationId}`,
        kind: payload.held ? 'bot' : 'bot_released',
        dir: 'out',
        text: null,
        attachments: [],
        author: null,
        conversationId: payload.conversationId,
      });
    }
  }

  /** An agent typing or having read: shown to the customer's open tabs, not stored (read marks are). */
  async agentActivity(event: ParticipantActivityV1): Promise<void> {
    const { payload, workspaceId } = event;
    if (payload.participant.type !== 'agent') return;
    // Typing older than this is stale by the time it would show.
    if (payload.activity !== 'read' && Date.now() - Date.parse(payload.at) > 10_000) return;
    for (const contact of await this.contacts.findByCustomer(workspaceId, payload.customerId)) {
      if (payload.activity === 'read') {
        const upToSeq = await this.transcript.markReadByAgent(contact);
        if (upToSeq !== null)
          await this.notifier.notify({ kind: 'agent-read', contactId: contact.id, upToSeq });
      } else {
        await this.notifier.notify({
          kind: 'typing',
          contactId: contact.id,
          name: payload.participant.name ?? null,
          typing: payload.activity === 'typing',
        });
      }
    }
  }

  /**
   * The web contacts of a history customer: those a delivery has named, else (a conversation
   * resolved before any reply) the web identities history knows for the customer.
   */
  private async contactsOfCustomer(workspaceId: string, customerId: string): Promise<WebContact[]> {
    const known = await this.contacts.findByCustomer(workspaceId, customerId);
    if (known.length > 0 || this.history === null) return known;
    try {
      const customer = await this.history.getCustomer(workspaceId, customerId);
      const found: WebContact[] = [];
      for (const identity of customer.identities) {
        const contact = await this.contacts.findByAddress(workspaceId, identity.kind, identity.value);
        if (contact) found.push(contact);
      }
      return found;
    } catch (error) {
      this.logger.warn({ err: error, customerId }, 'history could not name the customer’s web identities');
      return [];
    }
  }
}

/** A reply as its recipient's transcript keeps it, with the attachments granted to them. */
function transcriptItem(
  { payload }: MessageDeliveryRequestedV1,
  attachments: TranscriptAttachment[],
): NewTranscriptItem {
  return {
    id: payload.messageId,
    kind: 'message',
    dir: 'out',
    text: payload.text,
    attachments,
    author: {
      name: payload.sender.name ?? null,
      type: payload.sender.type,
      ...(isBotAnswerSender(payload.sender) ? { botAnswer: true as const } : {}),
    },
    conversationId: payload.conversationId,
    ...(payload.form !== undefined ? { form: { kind: payload.form.kind } } : {}),
  };
}

const unknownRecipient = (event: MessageDeliveryRequestedV1) =>
  statusOf(event, 'failed', {
    errorCode: 'unknown_recipient',
    errorMessage: 'no web visitor or user with this address in the workspace',
  });

function statusOf(
  event: MessageDeliveryRequestedV1,
  status: 'sent' | 'failed',
  error: { errorCode: string; errorMessage: string } | Record<string, never> = {},
): DeliveryStatusChangedV1 {
  return DeliveryStatusChangedV1.create({
    workspaceId: event.workspaceId,
    correlationId: event.correlationId,
    payload: {
      channel: 'web',
      channelAccountId: event.payload.channelAccountId,
      messageId: event.payload.messageId,
      status,
      ...error,
      statusAt: new Date().toISOString(),
    },
  });
}
