import { Inject, Injectable } from '@nestjs/common';
import {
  type ConversationView,
  HISTORY_API,
  type HistoryApi,
  PermissionDeniedError,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { roleAtLeast } from '../auth/role.js';
import type { SessionContext } from '../auth/session-context.js';

export interface SnoozeView {
  conversationId: string;
  /** When it wakes by itself; null: only when the customer writes. */
  until: string | null;
  snoozedBy: string;
  snoozedAt: string;
}

interface Row {
  conversation_id: string;
  until: Date | null;
  snoozed_by: string;
  snoozed_at: Date;
}

const toView = (row: Row): SnoozeView => ({
  conversationId: row.conversation_id,
  until: row.until?.toISOString() ?? null,
  snoozedBy: row.snoozed_by,
  snoozedAt: row.snoozed_at.toISOString(),
});

/** A snooze counts until its time has come; a customer's message deletes it (ADR 0112). */
const ACTIVE = '(until IS NULL OR until > now())';
/** More than this many snoozed conversations are not listed at once. */
const MAX_LISTED = 200;

/**
 * Snoozed conversations, kept in `inbox.snoozes` (so they survive restarts): hidden from the open
 * lists until their time, or until the customer writes (`wake`, from the conversations log).
 */
@Injectable()
export class SnoozesService {
  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    @Inject(HISTORY_API) private readonly history: HistoryApi,
  ) {}

  /** Agents snooze their own and unassigned conversations, supervisors any; snoozing again moves the time. */
  async snooze(session: SessionContext, conversationId: string, until: Date | null): Promise<SnoozeView> {
    const conversation = await this.actionable(session, conversationId);
    const rows: Row[] = await this.db.query(
      `INSERT INTO inbox.snoozes (workspace_id, conversation_id, snoozed_by, until)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (workspace_id, conversation_id)
       DO UPDATE SET snoozed_by = EXCLUDED.snoozed_by, until = EXCLUDED.until, snoozed_at = now()
       RETURNING conversation_id, until, snoozed_by, snoozed_at`,
      [session.workspaceId, conversation.id, session.userId, until],
    );
    return toView(rows[0]!);
  }

  async unsnooze(session: SessionContext, conversationId: string): Promise<void> {
    const conversation = await this.actionable(session, conversationId);
    await this.db.query('DELETE FROM inbox.snoozes WHERE workspace_id = $1 AND conversation_id = $2', [
      session.workspaceId,
      conversation.id,
    ]);
  }

  async get(workspaceId: string, conversationId: string): Promise<SnoozeView | null> {
    const rows: Row[] = await this.db.query(
      `SELECT conversation_id, until, snoozed_by, snoozed_at FROM inbox.snoozes
        WHERE workspace_id = $1 AND conversation_id = $2 AND ${ACTIVE}`,
      [workspaceId, conversationId],
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  /** Which of these conversations are snoozed now. */
  async activeAmong(workspaceId: string, conversationIds: string[]): Promise<Map<string, SnoozeView>> {
    if (conversationIds.length === 0) return new Map();
    const rows: Row[] = await this.db.query(
      `SELECT conversation_id, until, snoozed_by, snoozed_at FROM inbox.snoozes
        WHERE workspace_id = $1 AND conversation_id = ANY($2::uuid[]) AND ${ACTIVE}`,
      [workspaceId, conversationIds],
    );
    return new Map(rows.map((row) => [row.conversation_id, toView(row)]));
  }

  /**
   * The snoozed conversations the caller may act on (an agent: those they snoozed or hold; a
   * supervisor: all), soonest to wake first, with the snooze.
   */
  async listFor(session: SessionContext): Promise<{ conversation: ConversationView; snooze: SnoozeView }[]> {
    const rows: Row[] = await this.db.query(
      `SELECT conversation_id, until, snoozed_by, snoozed_at FROM inbox.snoozes
        WHERE workspace_id = $1 AND ${ACTIVE}
        ORDER BY until ASC NULLS LAST, snoozed_at LIMIT ${MAX_LISTED}`,
      [session.workspaceId],
    );
    const supervisor = roleAtLeast(session.role, 'supervisor');
    const listed = await Promise.all(
      rows.map(async (row) => {
        const conversation = await this.history
          .getConversation(session.workspaceId, row.conversation_id)
          .catch(() => null);
        return conversation ? { conversation, snooze: toView(row) } : null;
      }),
    );
    return listed.filter(
      (entry): entry is { conversation: ConversationView; snooze: SnoozeView } =>
        entry !== null &&
        (supervisor ||
          entry.snooze.snoozedBy === session.userId ||
          entry.conversation.assigneeId === session.userId),
    );
  }

  /**
   * Customers wrote: their conversations are back. One statement for a batch's messages (the live
   * feed's hot path); idempotent (redelivery, several replicas). Answers how many woke.
   */
  async wake(
    messages: readonly { workspaceId: string; conversationId: string; wroteAt: string }[],
  ): Promise<number> {
    if (messages.length === 0) return 0;
    // A DELETE answers [rows, count] through TypeORM.
    const [, count] = await this.db.query<[unknown[], number]>(
      `DELETE FROM inbox.snoozes s
        USING unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS m(workspace_id, conversation_id, wrote_at)
        WHERE s.workspace_id = m.workspace_id AND s.conversation_id = m.conversation_id
          AND s.snoozed_at <= m.wrote_at`,
      [
        messages.map((m) => m.workspaceId),
        messages.map((m) => m.conversationId),
        messages.map((m) => m.wroteAt),
      ],
    );
    return count;
  }

  private async actionable(session: SessionContext, conversationId: string): Promise<ConversationView> {
    const conversation = await this.history.getConversation(session.workspaceId, conversationId);
    const mayAct =
      roleAtLeast(session.role, 'supervisor') ||
      conversation.assigneeId === null ||
      conversation.assigneeId === session.userId;
    if (!mayAct) throw new PermissionDeniedError('this conversation is assigned to another agent');
    return conversation;
  }
}
