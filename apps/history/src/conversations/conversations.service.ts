import { Injectable } from '@nestjs/common';
import {
  type AssignmentRecordView,
  type ConversationAssignedV1Payload,
  type ConversationStatus,
  type ConversationView,
  FailedPreconditionError,
  type ListConversationsQuery,
  type MessageSender,
  NotFoundError,
  type Page,
} from '@switchboard/contracts';
import { Clock, InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { decodePageToken, encodePageToken, pageSize } from '../database/page-token.util.js';
import { type Db, firstRow, isoRequired, rows } from '../database/sql.util.js';
import { appendToOutbox } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { statusChangedEntry } from './conversation-events.js';
import {
  CONVERSATION_COLUMNS,
  CONVERSATION_FROM,
  type ConversationRow,
  toConversationView,
} from './conversation-view.js';

/** Conversations as the inbox lists and works them. */
@Injectable()
export class ConversationsService {
  constructor(
    @InjectServiceDataSource('history') private readonly db: DataSource,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  async get(
    workspaceId: string,
    conversationId: string,
    db: Db = this.db,
    lock = false,
  ): Promise<ConversationView> {
    const row = await firstRow<ConversationRow>(
      db,
      `SELECT ${CONVERSATION_COLUMNS} FROM ${CONVERSATION_FROM}
       WHERE c.workspace_id = $1 AND c.id = $2 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [workspaceId, conversationId],
    );
    if (row === undefined) throw new NotFoundError(`conversation ${conversationId}`);
    return toConversationView(row);
  }

  async count(workspaceId: string): Promise<number> {
    const row = await firstRow<{ n: number }>(
      this.db,
      'SELECT count(*)::int AS n FROM history.conversations WHERE workspace_id = $1',
      [workspaceId],
    );
    return row?.n ?? 0;
  }

  async list(workspaceId: string, query: ListConversationsQuery): Promise<Page<ConversationView>> {
    const size = pageSize(query.pageSize, 50, 200);
    const after = decodePageToken(query.pageToken, ['timestamp', 'uuid']);
    const order = query.order ?? 'waiting';
    const params: unknown[] = [workspaceId];
    const where = ['c.workspace_id = $1'];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (query.status !== undefined && query.status.length > 0)
      add((n) => `c.status = ANY($${n}::text[])`, query.status);
    if (query.assigneeId !== undefined) add((n) => `c.assignee_id = $${n}`, query.assigneeId);
    if (query.unassigned === true) where.push('c.assignee_id IS NULL');
    if (query.queueId !== undefined) add((n) => `c.queue_id = $${n}`, query.queueId);
    if (query.channel !== undefined) add((n) => `c.channel = $${n}`, query.channel);
    if (query.customerId !== undefined) add((n) => `c.customer_id = $${n}::uuid`, query.customerId);
    if (query.labelId !== undefined)
      add(
        (n) => `EXISTS (SELECT 1 FROM history.conversation_labels cl
                 WHERE cl.conversation_id = c.id AND cl.label_id = $${n}::uuid)`,
        query.labelId,
      );
    const key =
      order === 'waiting' ? "coalesce(c.waiting_since, 'infinity'::timestamptz)" : 'c.last_message_at';
    if (after !== null) {
      params.push(after[0], after[1]);
      const [k, id] = [params.length - 1, params.length];
      where.push(
        order === 'waiting'
          ? `(${key}, c.id) > ($${k}::timestamptz, $${id}::uuid)`
          : `(${key}, c.id) < ($${k}::timestamptz, $${id}::uuid)`,
      );
    }
    params.push(size + 1);
    const found = await rows<ConversationRow>(
      this.db,
      `SELECT ${CONVERSATION_COLUMNS} FROM ${CONVERSATION_FROM}
       WHERE ${where.join(' AND ')}
       ORDER BY ${order === 'waiting' ? `${key} ASC, c.id ASC` : `${key} DESC, c.id DESC`}
       LIMIT $${params.length}`,
      params,
    );
    const page = found.slice(0, size);
    const last = page.at(-1);
    return {
      items: page.map(toConversationView),
      nextPageToken:
        found.length > size && last
          ? encodePageToken([order === 'waiting' ? last.waiting_key : last.recent_key, last.id])
          : null,
    };
  }

  async assignments(workspaceId: string, conversationId: string): Promise<AssignmentRecordView[]> {
    await this.get(workspaceId, conversationId);
    const found = await rows<{
      agent_id: string | null;
      queue_id: string | null;
      mode: AssignmentRecordView['mode'];
      at: Date;
      explanation: ConversationAssignedV1Payload['explanation'] | null;
    }>(
      this.db,
      `SELECT agent_id, queue_id, mode, at, explanation FROM history.assignments
       WHERE workspace_id = $1 AND conversation_id = $2 ORDER BY at, event_id`,
      [workspaceId, conversationId],
    );
    return found.map((a) => ({
      agentId: a.agent_id,
      queueId: a.queue_id,
      mode: a.mode,
      at: isoRequired(a.at),
      explanation: a.explanation,
    }));
  }

  /**
   * Resolve, reopen or set pending. The same status again changes nothing and emits nothing.
   * Reopening is refused while the customer has another open conversation (one per customer).
   */
  async setStatus(
    workspaceId: string,
    conversationId: string,
    status: ConversationStatus,
    by: MessageSender,
  ): Promise<ConversationView> {
    const changed = await this.db.transaction(async (tx) => {
      const current = await this.get(workspaceId, conversationId, tx, true);
      if (current.status === status) return false;
      if (current.status === 'resolved') {
        const other = await firstRow<{ id: string }>(
          tx,
          `SELECT id FROM history.conversations WHERE customer_id = $1 AND status <> 'resolved' AND id <> $2`,
          [current.customerId, conversationId],
        );
        if (other !== undefined)
          throw new FailedPreconditionError(
            `the customer has another open conversation (${other.id}); it can't be reopened`,
          );
      }
      const [row] = await rows<{ changed_at: Date }>(
        tx,
        `UPDATE history.conversations
         SET status = $2,
             resolved_at = CASE WHEN $2 = 'resolved' THEN $3::timestamptz ELSE NULL END,
             waiting_since = CASE WHEN $2 = 'resolved' THEN NULL ELSE waiting_since END,
             updated_at = $3::timestamptz
         WHERE id = $1 RETURNING updated_at AS changed_at`,
        [conversationId, status, this.clock.date()],
      );
      await appendToOutbox(tx, [
        statusChangedEntry({
          workspaceId,
          conversationId,
          customerId: current.customerId,
          status,
          previousStatus: current.status,
          changedBy: by,
          changedAt: isoRequired(row!.changed_at),
        }),
      ]);
      return true;
    });
    if (changed) this.relay.kick();
    return this.get(workspaceId, conversationId);
  }
}
