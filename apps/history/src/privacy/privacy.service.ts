import { Injectable } from '@nestjs/common';
import {
  CustomerErasedV1,
  ERASED_CONVERSATIONS_PER_EVENT,
  type CustomerExport,
  type ErasureView,
  type MessageSender,
  NotFoundError,
} from '@switchboard/contracts';
import { routed } from '@switchboard/messaging';
import { Clock, InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { statusChangedEntry } from '../conversations/conversation-events.js';
import {
  CONVERSATION_COLUMNS,
  CONVERSATION_FROM,
  type ConversationRow,
  toConversationView,
} from '../conversations/conversation-view.js';
import { loadCustomerViews, toCustomerView } from '../customers/customer-view.js';
import { firstRow, isoRequired, rows } from '../database/sql.util.js';
import { type MergeRow, mergeView } from '../merges/merge.operations.js';
import { appendToOutbox } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessageView } from '../timeline/message-view.js';

interface ErasureRow {
  customer_id: string;
  erased_at: Date;
  messages_erased: number;
  identities_erased: number;
  conversations_kept: number;
}

function erasureView(row: ErasureRow): ErasureView {
  return {
    customerId: row.customer_id,
    erasedAt: isoRequired(row.erased_at),
    messagesErased: row.messages_erased,
    identitiesErased: row.identities_erased,
    conversationsKept: row.conversations_kept,
  };
}

/**
 * Erasure and export of one customer's data. Erasure deletes content (texts, attachments, names,
 * attributes, identities, claims) and keeps the rows that count (messages, conversations), so
 * reports stay right; it is recorded, and erasing again returns the same record.
 */
@Injectable()
export class PrivacyService {
  constructor(
    @InjectServiceDataSource('history') private readonly db: DataSource,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  async erase(workspaceId: string, customerId: string, by: MessageSender): Promise<ErasureView> {
    const result = await this.db.transaction(async (tx) => {
      const customer = await firstRow<{ erased_at: Date | null }>(
        tx,
        'SELECT erased_at FROM history.customers WHERE workspace_id = $1 AND id = $2 FOR UPDATE',
        [workspaceId, customerId],
      );
      if (customer === undefined) throw new NotFoundError(`customer ${customerId}`);
      if (customer.erased_at !== null) {
        const previous = await firstRow<ErasureRow>(
          tx,
          `SELECT customer_id, erased_at, messages_erased, identities_erased, conversations_kept
           FROM history.erasures WHERE workspace_id = $1 AND customer_id = $2 ORDER BY erased_at LIMIT 1`,
          [workspaceId, customerId],
        );
        return { view: erasureView(previous!), events: 0 };
      }
      const open = await rows<{ id: string; status: 'open' | 'pending'; resolved_at: Date }>(
        tx,
        `UPDATE history.conversations c SET status = 'resolved', resolved_at = $3::timestamptz,
                waiting_since = NULL, updated_at = now()
         FROM (SELECT id, status FROM history.conversations
               WHERE workspace_id = $1 AND customer_id = $2 AND status <> 'resolved' FOR UPDATE) o
         WHERE c.id = o.id RETURNING c.id, o.status, c.resolved_at`,
        [workspaceId, customerId, this.clock.date()],
      );
      // A customer sender's id is a customer's id; messages backfilled by an earlier version of
      // the system-of-record migration carry the sender's address there instead, so an id that
      // names no customer of the workspace is replaced by the message's customer.
      const messages = await rows<{ id: string }>(
        tx,
        `UPDATE history.messages m
         SET text = NULL, attachments = '[]', sender_address = NULL, erased = true,
             sender = CASE
               WHEN m.sender->>'type' = 'customer' AND m.sender ? 'id' AND NOT EXISTS (
                 SELECT 1 FROM history.customers c
                 WHERE c.workspace_id = m.workspace_id AND c.id::text = m.sender->>'id')
               THEN jsonb_set(m.sender - 'name', '{id}', to_jsonb(m.customer_id::text))
               ELSE m.sender - 'name'
             END
         WHERE m.workspace_id = $1 AND m.customer_id = $2 RETURNING m.id`,
        [workspaceId, customerId],
      );
      const conversations = await rows<{ id: string }>(
        tx,
        `UPDATE history.conversations SET last_message_preview = NULL, csat_comment = NULL, updated_at = now()
         WHERE workspace_id = $1 AND customer_id = $2 RETURNING id`,
        [workspaceId, customerId],
      );
      const identities = await rows<{ id: string }>(
        tx,
        'DELETE FROM history.identities WHERE workspace_id = $1 AND customer_id = $2 RETURNING id',
        [workspaceId, customerId],
      );
      await tx.query('DELETE FROM history.identity_claims WHERE workspace_id = $1 AND customer_id = $2', [
        workspaceId,
        customerId,
      ]);
      await tx.query(
        `DELETE FROM history.merge_suggestions
         WHERE workspace_id = $1 AND (customer_id = $2 OR candidate_customer_id = $2)`,
        [workspaceId, customerId],
      );
      const [customerRow] = await rows<{ erased_at: Date }>(
        tx,
        `UPDATE history.customers SET name = NULL, attributes = '{}', erased_at = now(), updated_at = now()
         WHERE id = $1 RETURNING erased_at`,
        [customerId],
      );
      const [erasure] = await rows<ErasureRow>(
        tx,
        `INSERT INTO history.erasures
           (id, workspace_id, customer_id, erased_by, erased_at, messages_erased, identities_erased, conversations_kept)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7)
         RETURNING customer_id, erased_at, messages_erased, identities_erased, conversations_kept`,
        [
          workspaceId,
          customerId,
          JSON.stringify(by),
          customerRow!.erased_at,
          messages.length,
          identities.length,
          conversations.length,
        ],
      );
      const events = open.map((c) =>
        statusChangedEntry({
          workspaceId,
          conversationId: c.id,
          customerId,
          status: 'resolved',
          previousStatus: c.status,
          changedBy: by,
          changedAt: isoRequired(c.resolved_at),
        }),
      );
      // Then the erasure itself, for the stores downstream that keep anything of the customer's
      // (reporting re-keys their conversations: ADR 0107), after the resolutions it made.
      const ids = conversations.map((c) => c.id).sort();
      for (let i = 0; i === 0 || i < ids.length; i += ERASED_CONVERSATIONS_PER_EVENT)
        events.push(
          routed(
            CustomerErasedV1.create({
              workspaceId,
              payload: {
                customerId,
                conversationIds: ids.slice(i, i + ERASED_CONVERSATIONS_PER_EVENT),
                erasedAt: isoRequired(customerRow!.erased_at),
              },
            }),
          ),
        );
      await appendToOutbox(tx, events);
      return { view: erasureView(erasure!), events: events.length };
    });
    if (result.events > 0) this.relay.kick();
    return result.view;
  }

  async export(workspaceId: string, customerId: string): Promise<CustomerExport> {
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const customer = (await loadCustomerViews(tx, workspaceId, [customerId])).get(customerId);
      if (customer === undefined) throw new NotFoundError(`customer ${customerId}`);
      const conversations = await rows<ConversationRow>(
        tx,
        `SELECT ${CONVERSATION_COLUMNS} FROM ${CONVERSATION_FROM}
         WHERE c.workspace_id = $1 AND c.customer_id = $2 ORDER BY c.opened_at, c.id`,
        [workspaceId, customerId],
      );
      const messages = await rows<MessageRow>(
        tx,
        `SELECT ${MESSAGE_COLUMNS} FROM history.messages m
         WHERE m.workspace_id = $1 AND m.customer_id = $2 ORDER BY m.created_at, m.id`,
        [workspaceId, customerId],
      );
      const merges = await rows<MergeRow>(
        tx,
        `SELECT id, target_customer_id, source_customer_id, merged_by, merged_at, undone_at FROM history.merges
         WHERE workspace_id = $1 AND (target_customer_id = $2 OR source_customer_id = $2) ORDER BY merged_at, id`,
        [workspaceId, customerId],
      );
      return {
        customer: toCustomerView(customer),
        conversations: conversations.map(toConversationView),
        messages: messages.map(toMessageView),
        merges: merges.map(mergeView),
        exportedAt: new Date().toISOString(),
      };
    });
  }
}
