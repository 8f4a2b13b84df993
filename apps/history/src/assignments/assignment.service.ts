import { Injectable } from '@nestjs/common';
import {
  BotHoldChangedV1,
  ConversationAssignedV1,
  type ConversationUnassignedV1,
} from '@switchboard/contracts';
import { InjectServiceDataSource, preparedRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

/** A decision of routing's about who holds a conversation. */
export type RoutingDecision = ConversationAssignedV1 | ConversationUnassignedV1 | BotHoldChangedV1;

/**
 * A consumer batch of routing's decisions in one statement (one round trip, no transaction of its
 * own: the statement is atomic, and holds the conversations' row locks only while it runs).
 *
 * - `recorded`: every assignment, offer and unassignment joins the history once (by event id).
 * - `steps`: of those just recorded (a redelivered one changes nothing), the ones that move the
 *   assignee — `assign` and `unassign`, not `offer` — numbered per conversation in batch order.
 * - `held`: their conversations, locked (in id order), as they are now. Each is found by its
 *   primary key alone (a `LATERAL … LIMIT 1` probe; the workspace compared with `IS NOT DISTINCT
 *   FROM`, which no index serves): the generic plan of a semi-join, made while the table was
 *   small, read every conversation of the table on every batch once it had grown (ADR 0143).
 * - `folded`: each conversation's steps applied one after the other, as the batch's events came,
 *   each under its rule: an assignment applies unless the conversation shows a newer decision; an
 *   unassignment newer than the decision it shows clears the assignee whoever it is, and at the
 *   same instant (a transfer: an unassignment and an assignment of one moment) only its own agent.
 *   `assigned_at` moves to every decision that applies, so a late older one changes nothing.
 * - The UPDATE writes each conversation's last state, when a step applied.
 * - `holds`: the bot's holds, kept as they came (once per event id) for a replay (ADR 0106).
 *
 * The explanations go as one JSON array (indexed by ordinality), not as an array of JSON texts:
 * node-postgres escapes each element of a text array character by character.
 */
export const RECORD = `
WITH RECURSIVE
decisions AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
    WITH ORDINALITY AS d(event_id, workspace_id, conversation_id, agent_id, queue_id, mode, at, n)),
recorded AS (
  INSERT INTO history.assignments (event_id, workspace_id, conversation_id, agent_id, queue_id, mode, at, explanation)
  SELECT d.event_id, d.workspace_id, d.conversation_id, d.agent_id, d.queue_id, d.mode, d.at,
         $8::jsonb -> (d.n::int - 1)
  FROM decisions d ORDER BY d.n
  ON CONFLICT DO NOTHING RETURNING event_id),
steps AS (
  SELECT d.workspace_id, d.conversation_id, d.agent_id, d.queue_id, d.mode, d.at,
         row_number() OVER (PARTITION BY d.workspace_id, d.conversation_id ORDER BY d.n) AS k
  FROM decisions d JOIN recorded r ON r.event_id = d.event_id
  WHERE d.mode <> 'offer'),
held AS (
  SELECT c.workspace_id, c.id, c.assignee_id, c.queue_id, c.assigned_at
  FROM (SELECT DISTINCT workspace_id, conversation_id FROM steps ORDER BY conversation_id) s
  CROSS JOIN LATERAL (
    SELECT c.workspace_id, c.id, c.assignee_id, c.queue_id, c.assigned_at FROM history.conversations c
    WHERE c.id = s.conversation_id AND c.workspace_id IS NOT DISTINCT FROM s.workspace_id
    LIMIT 1 FOR UPDATE) c),
folded (workspace_id, id, k, assignee_id, queue_id, assigned_at, moved) AS (
  SELECT workspace_id, id, 0::bigint, assignee_id, queue_id, assigned_at, false FROM held
  UNION ALL
  SELECT x.workspace_id, x.id, x.k,
         CASE WHEN NOT x.applies THEN x.assignee_id WHEN x.mode = 'assign' THEN x.agent_id END,
         CASE WHEN NOT x.applies THEN x.queue_id
              WHEN x.mode = 'assign' THEN x.step_queue_id
              ELSE coalesce(x.step_queue_id, x.queue_id) END,
         CASE WHEN x.applies THEN x.at ELSE x.assigned_at END,
         x.moved OR x.applies
  FROM (
    SELECT f.workspace_id, f.id, s.k, f.assignee_id, f.queue_id, f.assigned_at, f.moved,
           s.mode, s.agent_id, s.queue_id AS step_queue_id, s.at,
           CASE WHEN s.mode = 'assign'
                THEN f.assigned_at IS NULL OR f.assigned_at <= s.at
                ELSE f.assigned_at IS NULL OR f.assigned_at < s.at
                     OR (f.assigned_at = s.at AND (f.assignee_id IS NULL OR f.assignee_id = s.agent_id))
           END AS applies
    FROM folded f
    JOIN steps s ON s.workspace_id = f.workspace_id AND s.conversation_id = f.id AND s.k = f.k + 1) x),
final AS (
  SELECT DISTINCT ON (id) workspace_id, id, assignee_id, queue_id, assigned_at, moved
  FROM folded ORDER BY id, k DESC),
holds AS (
  INSERT INTO history.bot_holds (event_id, workspace_id, conversation_id, held, reason, agent_id, at)
  SELECT * FROM unnest($9::uuid[], $10::uuid[], $11::uuid[], $12::boolean[], $13::text[], $14::text[], $15::timestamptz[])
  ON CONFLICT DO NOTHING)
UPDATE history.conversations c
SET assignee_id = f.assignee_id, queue_id = f.queue_id, assigned_at = f.assigned_at, updated_at = now()
FROM final f
WHERE c.id = f.id AND c.workspace_id IS NOT DISTINCT FROM f.workspace_id AND f.moved`;

/**
 * Routing's decisions, recorded on the conversation. Every decision joins the assignment history
 * once (deduplicated by event id). Only `assign` and `unassign` change the assignee (an `offer`
 * waits for the agent), and the conversation's `assigned_at` holds the time of the decision that
 * set its current assignee or cleared it: a decision older than that, arriving late, changes
 * nothing but the history. Routing took a conversation back (`unassign`): from then on nobody
 * holds it until the next assignment (routing is the single writer of who holds what). The bot's
 * holds are kept as they came (once per event id): nothing of history reads them but a replay
 * (ADR 0106). A batch is one statement (`RECORD`), with the effect of its events applied one by
 * one in order.
 */
@Injectable()
export class AssignmentService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async record(events: readonly RoutingDecision[]): Promise<void> {
    if (events.length === 0) return;
    const decisions: {
      id: string;
      workspaceId: string;
      conversationId: string;
      agentId: string;
      queueId: string | null;
      mode: string;
      at: string;
      explanation: unknown;
    }[] = [];
    const holds: BotHoldChangedV1[] = [];
    // A redelivered event in the same batch is the first one again: only the first counts.
    const seen = new Set<string>();
    for (const event of events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      if (event.type === BotHoldChangedV1.type) {
        holds.push(event);
      } else if (event.type === ConversationAssignedV1.type) {
        const p = event.payload;
        decisions.push({
          id: event.id,
          workspaceId: event.workspaceId,
          conversationId: p.conversationId,
          agentId: p.agentId,
          queueId: p.queueId,
          mode: p.mode,
          at: p.assignedAt,
          explanation: p.explanation,
        });
      } else {
        const p = event.payload;
        decisions.push({
          id: event.id,
          workspaceId: event.workspaceId,
          conversationId: p.conversationId,
          agentId: p.agentId,
          queueId: p.queueId,
          mode: 'unassign',
          at: p.unassignedAt,
          // The shape of an assignment's explanation: no routing step, no candidates, the reason.
          explanation: { step: null, reason: p.reason, candidates: [] },
        });
      }
    }
    await preparedRows(this.db, 'history.assignments.record', RECORD, [
      decisions.map((d) => d.id),
      decisions.map((d) => d.workspaceId),
      decisions.map((d) => d.conversationId),
      decisions.map((d) => d.agentId),
      decisions.map((d) => d.queueId),
      decisions.map((d) => d.mode),
      decisions.map((d) => d.at),
      JSON.stringify(decisions.map((d) => d.explanation)),
      holds.map((h) => h.id),
      holds.map((h) => h.workspaceId),
      holds.map((h) => h.payload.conversationId),
      holds.map((h) => h.payload.held),
      holds.map((h) => h.payload.reason),
      holds.map((h) => h.payload.agentId),
      holds.map((h) => h.payload.changedAt),
    ]);
  }
}
