import { Injectable } from '@nestjs/common';
import {
  BotHoldChangedV1,
  ConversationAssignedV1,
  type ConversationUnassignedV1,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { type Db, rows } from '../database/sql.util.js';

/** A decision of routing's about who holds a conversation. */
export type RoutingDecision = ConversationAssignedV1 | ConversationUnassignedV1 | BotHoldChangedV1;

/**
 * Routing's decisions, recorded on the conversation. Every decision joins the assignment history
 * once (deduplicated by event id). Only `assign` and `unassign` change the assignee (an `offer`
 * waits for the agent), and the conversation's `assigned_at` holds the time of the decision that
 * set its current assignee or cleared it: a decision older than that, arriving late, changes
 * nothing but the history. The bot's holds are kept as they came (once per event id): nothing of
 * history reads them but a replay (ADR 0106).
 */
@Injectable()
export class AssignmentService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async record(events: readonly RoutingDecision[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const event of events) {
        if (event.type === ConversationAssignedV1.type) await assign(tx, event);
        else if (event.type === BotHoldChangedV1.type) await recordHold(tx, event);
        else await unassign(tx, event);
      }
    });
  }
}

async function assign(tx: Db, event: ConversationAssignedV1): Promise<void> {
  const p = event.payload;
  const inserted = await rows<{ event_id: string }>(
    tx,
    `INSERT INTO history.assignments
       (event_id, workspace_id, conversation_id, agent_id, queue_id, mode, at, explanation)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING event_id`,
    [
      event.id,
      event.workspaceId,
      p.conversationId,
      p.agentId,
      p.queueId,
      p.mode,
      p.assignedAt,
      JSON.stringify(p.explanation),
    ],
  );
  if (inserted.length === 0 || p.mode !== 'assign') return;
  await tx.query(
    `UPDATE history.conversations
     SET assignee_id = $3, queue_id = $4, assigned_at = $5, updated_at = now()
     WHERE workspace_id = $1 AND id = $2 AND (assigned_at IS NULL OR assigned_at <= $5)`,
    [event.workspaceId, p.conversationId, p.agentId, p.queueId, p.assignedAt],
  );
}

/**
 * Routing took the conversation back from an agent: from then on nobody holds it until the next
 * assignment (routing is the single writer of who holds what). So an unassignment newer than the
 * decision the conversation shows clears its assignee, whoever it is. At the same instant (a
 * transfer is an unassignment and an assignment of one moment) it clears only its own agent: the
 * other agent's assignment is the later step. Either way the decision is recorded, with its reason.
 */
async function unassign(tx: Db, event: ConversationUnassignedV1): Promise<void> {
  const p = event.payload;
  const inserted = await rows<{ event_id: string }>(
    tx,
    `INSERT INTO history.assignments
       (event_id, workspace_id, conversation_id, agent_id, queue_id, mode, at, explanation)
     VALUES ($1, $2, $3, $4, $5, 'unassign', $6, $7) ON CONFLICT DO NOTHING RETURNING event_id`,
    [
      event.id,
      event.workspaceId,
      p.conversationId,
      p.agentId,
      p.queueId,
      p.unassignedAt,
      // The shape of an assignment's explanation: no routing step, no candidates, the reason.
      JSON.stringify({ step: null, reason: p.reason, candidates: [] }),
    ],
  );
  if (inserted.length === 0) return;
  // `assigned_at` moves to the unassignment even when nobody was assigned (an offer lapsed): an
  // assignment older than it, arriving late, must not apply.
  await tx.query(
    `UPDATE history.conversations
     SET assignee_id = NULL, queue_id = coalesce($4, queue_id), assigned_at = $5, updated_at = now()
     WHERE workspace_id = $1 AND id = $2
       AND (assigned_at IS NULL OR assigned_at < $5
            OR (assigned_at = $5 AND (assignee_id IS NULL OR assignee_id = $3)))`,
    [event.workspaceId, p.conversationId, p.agentId, p.queueId, p.unassignedAt],
  );
}

async function recordHold(tx: Db, event: BotHoldChangedV1): Promise<void> {
  const p = event.payload;
  await tx.query(
    `INSERT INTO history.bot_holds (event_id, workspace_id, conversation_id, held, reason, agent_id, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [event.id, event.workspaceId, p.conversationId, p.held, p.reason, p.agentId, p.changedAt],
  );
}
