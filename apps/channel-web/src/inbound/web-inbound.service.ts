import { Injectable } from '@nestjs/common';
import {
  CsatSubmittedV1,
  InboundMessageReceivedV1,
  ParticipantActivityV1,
  toE164,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { Clock, InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { WebAttachmentService } from '../attachments/web-attachment.service.js';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';
import { type WebContact, senderOf } from '../contacts/web-contact.js';
import { WebContactService } from '../contacts/web-contact.service.js';
import type { WidgetSite } from '../settings/widget-settings.service.js';
import type { CardBrand } from '../sessions/widget-protocol.js';
import type { TranscriptItem } from '../transcript/transcript-item.js';
import { TranscriptService } from '../transcript/transcript.service.js';

/** What the site vouched for on a verified session (site-supplied, so verified identities). */
export interface VerifiedProfile {
  readonly email?: string;
  readonly phone?: string;
}

export interface VisitorMessage {
  /** The widget's id for the message: its retries carry the same one. */
  readonly clientId: string;
  readonly text: string | null;
  readonly attachmentIds: readonly string[];
  /** Left through the offline form: the inbox sees the hint, the email is where to answer. */
  readonly offline?: { readonly email: string; readonly name?: string };
  /** Added to the event's hints (a card form's token and summary). */
  readonly hints?: Readonly<Record<string, string>>;
}

/** What the widget sends for a filled card form: the tokenization endpoint's answer, no card data. */
export interface CardSubmission {
  readonly id: string;
  readonly formId: string;
  readonly token: string;
  readonly last4: string;
  readonly brand: CardBrand;
}

/**
 * A visitor's messages, ratings and typing, as events for the rest of the platform. A message is
 * acknowledged (and shown to the contact's other tabs) only once its event is durable on the log.
 */
@Injectable()
export class WebInboundService {
  constructor(
    private readonly bus: EventBus,
    private readonly transcript: TranscriptService,
    private readonly attachments: WebAttachmentService,
    private readonly contacts: WebContactService,
    @InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Publishes the message, then records it in the transcript. A retry of the same client id after
   * the publish is answered from the transcript; a crash between the two publishes again on retry,
   * and history's (workspace, channel account, provider message id) key stores it once.
   */
  async send(
    site: WidgetSite,
    contact: WebContact,
    message: VisitorMessage,
    verified: VerifiedProfile | null,
  ): Promise<TranscriptItem> {
    const { view, event } = await this.attachments.forMessage(contact, message.attachmentIds);
    const sender = senderOf(contact);
    const identities: { kind: 'email' | 'phone' | 'web_visitor'; address: string; verified: boolean }[] = [];
    if (verified?.email)
      identities.push({ kind: 'email', address: verified.email.toLowerCase(), verified: true });
    const phone = verified?.phone ? toE164(verified.phone) : null;
    if (phone) identities.push({ kind: 'phone', address: phone, verified: true });
    const typedEmail = message.offline?.email ?? (contact.userId === null ? contact.email : null);
    if (typedEmail && !identities.some((i) => i.kind === 'email'))
      identities.push({ kind: 'email', address: typedEmail.toLowerCase(), verified: false });
    // The anonymous visitors this user was on this browser before signing in: the same person.
    for (const visitorId of await this.contacts.carriedOverVisitorIds(contact))
      identities.push({ kind: 'web_visitor', address: visitorId, verified: true });
    const displayName = message.offline?.name ?? contact.name ?? undefined;
    const hints: Record<string, string> = { language: site.appearance.theme.language };
    if (message.offline) hints.offline = 'true';
    Object.assign(hints, message.hints);

    const inbound = InboundMessageReceivedV1.create({
      workspaceId: contact.workspaceId,
      payload: {
        channel: 'web',
        channelAccountId: site.widgetKey,
        // Scoped by contact: a client id chosen by one browser can't collide with another's.
        providerMessageId: `${contact.id}/${message.clientId}`,
        sender: {
          kind: sender.kind,
          address: sender.address,
          verified: contact.userId !== null,
          ...(displayName ? { displayName } : {}),
          ...(identities.length > 0 ? { identities } : {}),
        },
        text: message.text,
        attachments: event,
        receivedAt: new Date().toISOString(),
        hints,
      },
    });
    await this.bus.emit(inbound);
    const { item } = await this.transcript.append(contact, {
      id: message.clientId,
      kind: 'message',
      dir: 'in',
      text: message.text,
      attachments: view,
      author: null,
      conversationId: contact.conversationId,
    });
    return item;
  }

  /**
   * A filled card form (ADR 0082): the customer's message says only "Card •••• 4242 submitted";
   * the token, last four and brand travel in the event's hints, where a payment integration reads
   * them (history's conversation events, the gRPC event feed). Null when this contact was not
   * asked for a card with that form id, or already answered it.
   */
  async submitCard(
    site: WidgetSite,
    contact: WebContact,
    card: CardSubmission,
    verified: VerifiedProfile | null,
  ): Promise<TranscriptItem | null> {
    const forms: { submitted: boolean }[] = await queryRows(
      this.db,
      `SELECT coalesce((form->>'submitted')::boolean, false) AS submitted FROM channels.web_transcript
       WHERE workspace_id = $1 AND contact_id = $2 AND item_id = $3 AND direction = 'out' AND form->>'kind' = 'card'`,
      [contact.workspaceId, contact.id, card.formId],
    );
    if (forms[0] === undefined || forms[0].submitted) return null;
    const item = await this.send(
      site,
      contact,
      {
        clientId: card.id,
        text: `Card •••• ${card.last4} submitted`,
        attachmentIds: [],
        hints: {
          secureForm: 'card',
          formMessageId: card.formId,
          cardToken: card.token,
          cardLast4: card.last4,
          cardBrand: card.brand,
        },
      },
      verified,
    );
    await this.markFormSubmitted(contact, card.formId);
    return item;
  }

  /** The form shows as answered on every later replay. */
  async markFormSubmitted(contact: WebContact, formId: string): Promise<void> {
    await queryRows(
      this.db,
      `UPDATE channels.web_transcript SET form = form || '{"submitted": true}'::jsonb
       WHERE workspace_id = $1 AND contact_id = $2 AND item_id = $3 AND direction = 'out' AND form IS NOT NULL`,
      [contact.workspaceId, contact.id, formId],
    );
  }

  /** The transcript's copy of an already-sent message, for a retry after the ack was lost. */
  async alreadySent(contact: WebContact, clientId: string): Promise<TranscriptItem | null> {
    const rows: { seq: number }[] = await queryRows(
      this.db,
      'SELECT seq FROM channels.web_transcript WHERE workspace_id = $1 AND contact_id = $2 AND item_id = $3',
      [contact.workspaceId, contact.id, clientId],
    );
    if (!rows[0]) return null;
    const [item] = await this.transcript.listAfter(contact, rows[0].seq - 1, 1);
    return item ?? null;
  }

  /** The rating for a conversation this contact was asked about; the same again replaces it. */
  async rate(
    site: WidgetSite,
    contact: WebContact,
    conversationId: string,
    rating: number,
    comment: string | undefined,
  ): Promise<boolean> {
    const asked: unknown[] = await queryRows(
      this.db,
      `SELECT 1 FROM channels.web_transcript WHERE workspace_id = $1 AND contact_id = $2 AND kind = 'csat' AND conversation_id = $3`,
      [contact.workspaceId, contact.id, conversationId],
    );
    if (asked.length === 0) return false;
    const submittedAt = this.clock.date();
    const sender = senderOf(contact);
    await this.bus.emit(
      CsatSubmittedV1.create({
        workspaceId: contact.workspaceId,
        payload: {
          conversationId,
          channel: 'web',
          channelAccountId: site.widgetKey,
          sender,
          rating,
          ...(comment ? { comment } : {}),
          submittedAt: submittedAt.toISOString(),
        },
      }),
    );
    await queryRows(
      this.db,
      `INSERT INTO channels.web_csat (workspace_id, conversation_id, contact_id, rating, comment, submitted_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (workspace_id, conversation_id, contact_id)
       DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, submitted_at = EXCLUDED.submitted_at`,
      [contact.workspaceId, conversationId, contact.id, rating, comment ?? null, submittedAt],
    );
    return true;
  }

  /** Typing, and read receipts, for the inbox; only once history's conversation is known. */
  async activity(known: WebContact, activity: 'typing' | 'stopped_typing' | 'read'): Promise<void> {
    // Re-read: the conversation is learned from deliveries after the socket said hello, and changes.
    const contact = (await this.contacts.findById(known.workspaceId, known.id)) ?? known;
    if (contact.customerId === null || contact.conversationId === null) return;
    await this.bus.emit(
      ParticipantActivityV1.create({
        workspaceId: contact.workspaceId,
        payload: {
          conversationId: contact.conversationId,
          customerId: contact.customerId,
          participant: {
            type: 'customer',
            id: senderOf(contact).address,
            ...(contact.name ? { name: contact.name } : {}),
          },
          activity,
          at: new Date().toISOString(),
        },
      }),
    );
  }
}
