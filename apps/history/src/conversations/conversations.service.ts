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
  PermissionDeniedError,
} from '@switchboard/contracts';
import { Clock, InjectServiceDataSource, isUniqueViolation, preparedRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { decodePageToken, encodePageToken, pageSize } from '../database/page-token.util.js';
import { type Db, firstRow, isoRequired, rows } from '../database/sql.util.js';
import { outboxJson } from '../outbox/outbox.js';
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
   * One statement (`SET_STATUS`): no transaction of its own, the conversation's row lock held only
   * while it runs, and the conversation as it is now in the same round trip.
   */
  async setStatus(
    workspaceId: string,
    conversationId: string,
    status: ConversationStatus,
    by: MessageSender,
    { onlyOwnOrUnassigned }: { onlyOwnOrUnassigned: boolean },
  ): Promise<ConversationView> {
    const changedAt = this.clock.date();
    // The customer and the previous status are the locked row's: the statement sets them.
    const entry = statusChangedEntry({
      workspaceId,
      conversationId,
      customerId: SET_BY_THE_STATEMENT,
      status,
      previousStatus: status,
      changedBy: by,
      changedAt: changedAt.toISOString(),
    });
    const row = await preparedRows<
      ConversationRow & { changed: boolean; other_id: string | null; refused: boolean }
    >(this.db, 'history.conversations.set-status', SET_STATUS, [
      workspaceId,
      conversationId,
      status,
      changedAt,
      outboxJson([entry]),
      onlyOwnOrUnassigned ? by.id : null,
    ])
      .then((found) => found[0])
      .catch((error: unknown) => {
        // Another conversation of the customer's opened while this one was being reopened.
        if (isUniqueViolation(error, 'conversations_one_open_per_customer'))
          throw new FailedPreconditionError(
            "the customer has another open conversation; it can't be reopened",
          );
        throw error;
      });
    if (row === undefined) throw new NotFoundError(`conversation ${conversationId}`);
    if (row.refused) throw new PermissionDeniedError('this conversation is assigned to another agent');
    if (row.other_id !== null)
      throw new FailedPreconditionError(
        `the customer has another open conversation (${row.other_id}); it can't be reopened`,
      );
    if (row.changed) this.relay.kick();
    return toConversationView(row);
  }
}

/** A valid id in the event as JavaScript builds it, replaced in the statement (`SET_STATUS`). */
const SET_BY_THE_STATEMENT = '00000000-0000-0000-0000-000000000000';

/**
 * A status change in one statement:
 * - `cur`: the conversation, in its workspace, locked (its latest version, once any transaction
 *   writing to it has committed);
 * - `other`: when it is resolved and is to be reopened, another open conversation of the customer's;
 * - `refused`: the locked row assigned to someone other than `$6`, the actor, when only the
 *   actor's own and unassigned conversations may change (`$6` null otherwise: nothing refused);
 * - `changed`: the change, unless the status is the same or `refused` or `other` refuses it;
 * - `recorded`: the change in `history.status_changes`, its id and `changedBy` the event's (`$5`,
 *   parsed once in `entry`): what the outbox's trigger would have copied from it (ADR 0106);
 * - `queued`: its event in the outbox with the change (ADR 0010), its customer and previous status
 *   the locked row's, marked as recorded so that the trigger does not parse it again (ADR 0152);
 * - the conversation as it is now, changed or not, with the columns `get` reads.
 */
// \`cur\` is found by its primary key alone: the workspace is compared with IS NOT DISTINCT FROM,
// which no index serves, so a generic plan made before the table had statistics cannot read the
// workspace's conversations through another (workspace_id, …) index instead (docs/benchmarks.md).
export const SET_STATUS = `
WITH cur AS (
  SELECT c.* FROM history.conversations c
  WHERE c.id = $2 AND c.workspace_id IS NOT DISTINCT FROM $1::uuid FOR UPDATE),
other AS (
  SELECT o.id FROM cur
  JOIN history.conversations o ON o.workspace_id = cur.workspace_id AND o.customer_id = cur.customer_id
  WHERE cur.status = 'resolved' AND $3 <> 'resolved' AND o.status <> 'resolved' AND o.id <> cur.id
  LIMIT 1),
refused AS (
  SELECT 1 FROM cur WHERE cur.assignee_id <> $6::text),
changed AS (
  UPDATE history.conversations c
  SET status = $3,
      resolved_at = CASE WHEN $3 = 'resolved' THEN $4::timestamptz ELSE NULL END,
      waiting_since = CASE WHEN $3 = 'resolved' THEN NULL ELSE c.waiting_since END,
      updated_at = $4::timestamptz
  FROM cur
  WHERE c.id = cur.id AND cur.status <> $3 AND NOT EXISTS (SELECT 1 FROM other)
    AND NOT EXISTS (SELECT 1 FROM refused)
  RETURNING c.*),
entry AS (
  SELECT $5::jsonb AS entries),
recorded AS (
  INSERT INTO history.status_changes
    (event_id, workspace_id, conversation_id, status, previous_status, changed_by, at)
  SELECT (entry.entries #>> '{0,event,id}')::uuid, cur.workspace_id, cur.id, $3, cur.status,
         entry.entries #> '{0,event,payload,changedBy}', $4::timestamptz
  FROM changed JOIN cur ON cur.id = changed.id, entry),
queued AS (
  INSERT INTO history.outbox (entries, status_changes_recorded)
  SELECT jsonb_set(jsonb_set(entry.entries, '{0,event,payload,customerId}', to_jsonb(cur.customer_id)),
                   '{0,event,payload,previousStatus}', to_jsonb(cur.status))::json, true
  FROM changed JOIN cur ON cur.id = changed.id, entry
  RETURNING 1)
SELECT ${CONVERSATION_COLUMNS},
       (SELECT o.id FROM other o) AS other_id,
       EXISTS (SELECT 1 FROM changed) AS changed,
       EXISTS (SELECT 1 FROM refused) AS refused
FROM (SELECT * FROM changed UNION ALL SELECT * FROM cur WHERE NOT EXISTS (SELECT 1 FROM changed)) c
JOIN history.customers cu ON cu.id = c.customer_id`;
