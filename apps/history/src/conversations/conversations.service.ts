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
import { Clock, InjectServiceDataSource, isUniqueViolation } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { decodePageToken, encodePageToken, pageSize } from '../database/page-token.util.js';
import { type Db, firstRow, isoRequired, rows } from '../database/sql.util.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { statusChangedEntry } from './conversation-events.js';
import {
  CONVERSATION_COLUMNS,
  CONVERSATION_FROM,
  type ConversationRow,
  toConversationView,
} from './conversation-view.js';
import { type StatusChange, type StatusChangeRow, setStatuses } from './status-changes.operation.js';

/** Conversations as the inbox lists and works them. */
@Injectable()
export class ConversationsService {
  /** Status changes waiting for a statement, in the order asked. */
  private readonly waiting: WaitingChange[] = [];
  /** Conversations whose change is being written. */
  private readonly writing = new Set<string>();
  /** Whether a shared statement runs. */
  private sharing = false;

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
   * One statement (`SET_STATUSES`): no transaction of its own, the conversation's row lock held
   * only while it runs, and the conversation as it is now in the same round trip. Changes asked
   * while a statement runs wait for it and go together in the next one (ADR 0159): at a steady
   * rate every agent's resolve was a round trip and a commit of its own.
   */
  setStatus(
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
    return new Promise<ConversationView>((resolve, reject) => {
      this.waiting.push({
        change: {
          workspaceId,
          conversationId,
          status,
          changedAt,
          entry,
          onlyFor: onlyOwnOrUnassigned ? (by.id ?? null) : null,
        },
        resolve,
        reject,
      });
      this.writeWaiting();
    });
  }

  /**
   * Starts the next shared statement unless one runs: the changes waiting, in order, up to
   * STATUS_CHANGES_PER_STATEMENT, one per conversation and none of a conversation whose change is
   * still being written. A second change of a conversation waits for the first to settle, and sees
   * its effect, as when they ran one after the other.
   */
  private writeWaiting(): void {
    if (this.sharing) return;
    const taken: WaitingChange[] = [];
    for (let i = 0; i < this.waiting.length && taken.length < STATUS_CHANGES_PER_STATEMENT;) {
      const waiting = this.waiting[i]!;
      if (this.writing.has(waiting.change.conversationId)) {
        i += 1;
        continue;
      }
      this.writing.add(waiting.change.conversationId);
      taken.push(waiting);
      this.waiting.splice(i, 1);
    }
    if (taken.length === 0) return;
    this.sharing = true;
    void this.writeShared(taken).finally(() => {
      this.sharing = false;
      this.writeWaiting();
    });
  }

  /**
   * The shared statement skips a conversation another transaction has locked (a merge, an
   * erasure, a send, routing's batch): that change goes on alone and waits for its row as before,
   * while the others are answered and the next statement starts. So does every change of a
   * statement that failed, each with its own outcome: a reopen racing another conversation's
   * opening fails its own call only.
   */
  private async writeShared(changes: readonly WaitingChange[]): Promise<void> {
    let found: Map<number, StatusChangeRow>;
    try {
      found = await setStatuses(
        this.db,
        changes.map((c) => c.change),
        { skipLocked: true },
      );
    } catch {
      for (const change of changes) void this.writeAlone(change);
      return;
    }
    if ([...found.values()].some((row) => row.changed)) this.relay.kick();
    changes.forEach((change, i) => {
      const row = found.get(i);
      // Locked by another transaction, or not there: alone, waiting for the lock, says which.
      if (row === undefined) void this.writeAlone(change);
      else {
        this.writing.delete(change.change.conversationId);
        settle(change, row);
      }
    });
  }

  private async writeAlone(change: WaitingChange): Promise<void> {
    try {
      const row = (await setStatuses(this.db, [change.change], { skipLocked: false })).get(0);
      if (row?.changed === true) this.relay.kick();
      settle(change, row);
    } catch (error) {
      change.reject(
        // Another conversation of the customer's opened while this one was being reopened.
        isUniqueViolation(error, 'conversations_one_open_per_customer')
          ? new FailedPreconditionError("the customer has another open conversation; it can't be reopened")
          : error,
      );
    } finally {
      this.writing.delete(change.change.conversationId);
      this.writeWaiting();
    }
  }
}

/** Answers a change with what its statement found (nothing: no such conversation in its workspace). */
function settle({ change, resolve, reject }: WaitingChange, row: StatusChangeRow | undefined): void {
  if (row === undefined) reject(new NotFoundError(`conversation ${change.conversationId}`));
  else if (row.refused) reject(new PermissionDeniedError('this conversation is assigned to another agent'));
  else if (row.other_id !== null)
    reject(
      new FailedPreconditionError(
        `the customer has another open conversation (${row.other_id}); it can't be reopened`,
      ),
    );
  else {
    try {
      resolve(toConversationView(row));
    } catch (error) {
      reject(error);
    }
  }
}

/** A status change waiting for the statement it will share with others. */
interface WaitingChange {
  readonly change: StatusChange;
  readonly resolve: (view: ConversationView) => void;
  readonly reject: (error: unknown) => void;
}

/** Status changes asked at once beyond this wait for the next statement. */
const STATUS_CHANGES_PER_STATEMENT = 200;

/** A valid id in the event as JavaScript builds it, replaced in the statement (`SET_STATUSES`). */
const SET_BY_THE_STATEMENT = '00000000-0000-0000-0000-000000000000';
