import type { ConversationStatus } from '@switchboard/contracts';
import { preparedRows } from '@switchboard/platform';
import { type Db } from '../database/sql.util.js';
import { type OutboxEntry, outboxJson } from '../outbox/outbox.js';
import { CONVERSATION_COLUMNS, type ConversationRow } from './conversation-view.js';

/** One conversation's status change, as a caller asked it. */
export interface StatusChange {
  readonly workspaceId: string;
  readonly conversationId: string;
  readonly status: ConversationStatus;
  readonly changedAt: Date;
  /** Its `ConversationStatusChangedV1`, the customer and previous status set by the statement. */
  readonly entry: OutboxEntry;
  /** Only this actor's own and unassigned conversations may change; null: any. */
  readonly onlyFor: string | null;
}

/** What the statement found for a change: the conversation as it now is, and why it did not change. */
export type StatusChangeRow = ConversationRow & {
  n: string;
  changed: boolean;
  other_id: string | null;
  refused: boolean;
};

/**
 * Status changes of distinct conversations in one statement, each under the rule it had alone
 * (ADR 0132, 0137, 0152, 0159):
 * - `asked`: the changes, numbered in the caller's order (`n`, the index of its entry in `$5`);
 * - `cur`: each conversation, in its workspace, locked (its latest version, once any transaction
 *   writing to it has committed), one primary-key probe each, in id order as routing's batches
 *   lock them; a change whose conversation is not found has no row from here on;
 * - `other`: a resolved conversation to be reopened while the customer has another open one;
 * - `refused`: a locked row assigned to someone other than the change's actor, when only the
 *   actor's own and unassigned conversations may change (the actor null otherwise);
 * - `changed`: the changes, unless the status is the same or `refused` or `other` refuses one;
 * - `recorded`: each change in `history.status_changes`, its id and `changedBy` its event's: what
 *   the outbox's trigger would have copied from it (ADR 0106);
 * - `queued`: their events in one outbox row, in the callers' order, each with its customer and
 *   previous status the locked row's, marked as recorded so that the trigger skips them (ADR 0152);
 * - every conversation found as it is now, changed or not, with the columns `get` reads.
 *
 * Each conversation is found by its primary key alone: the workspace is compared with IS NOT
 * DISTINCT FROM, which no index serves, so a generic plan made before the table had statistics
 * cannot read the workspace's conversations through another (workspace_id, …) index (ADR 0143).
 */
export const SET_STATUSES = setStatusesSql('FOR UPDATE');

/** `SET_STATUSES` skipping a conversation another transaction has locked: no row for that change. */
export const SET_STATUSES_SKIPPING_LOCKED = setStatusesSql('FOR UPDATE SKIP LOCKED');

function setStatusesSql(lock: string): string {
  return `
WITH asked AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $6::text[])
    WITH ORDINALITY AS a(workspace_id, id, status, at, only_for, n)),
cur AS (
  SELECT c.* FROM (SELECT workspace_id, id FROM asked ORDER BY id) a
  CROSS JOIN LATERAL (
    SELECT c.* FROM history.conversations c
    WHERE c.id = a.id AND c.workspace_id IS NOT DISTINCT FROM a.workspace_id
    LIMIT 1 ${lock}) c),
change AS (
  SELECT cur.id, cur.workspace_id, cur.customer_id, cur.status AS previous, a.status, a.at, a.n,
         cur.assignee_id <> a.only_for AS refused
  FROM cur JOIN asked a ON a.id = cur.id
  -- Always true; a range the planner, knowing nothing of the values, estimates at one row: the
  -- UPDATE then probes the primary key per change, where a plan made on a small table hashed a
  -- scan of every conversation (ADR 0143).
  WHERE a.n BETWEEN 1 AND 2147483647),
other AS (
  SELECT ch.id, (
    SELECT o.id FROM history.conversations o
    WHERE o.workspace_id = ch.workspace_id AND o.customer_id = ch.customer_id
      AND o.status <> 'resolved' AND o.id <> ch.id
    LIMIT 1) AS other_id
  FROM change ch WHERE ch.previous = 'resolved' AND ch.status <> 'resolved'),
changed AS (
  UPDATE history.conversations c
  SET status = ch.status,
      resolved_at = CASE WHEN ch.status = 'resolved' THEN ch.at ELSE NULL END,
      waiting_since = CASE WHEN ch.status = 'resolved' THEN NULL ELSE c.waiting_since END,
      updated_at = ch.at
  FROM change ch
  WHERE c.id = ch.id AND ch.previous <> ch.status AND ch.refused IS NOT TRUE
    AND NOT EXISTS (SELECT 1 FROM other o WHERE o.id = ch.id AND o.other_id IS NOT NULL)
  RETURNING c.*),
made AS (
  SELECT ch.*, $5::jsonb -> (ch.n::int - 1) AS entry
  FROM changed JOIN change ch ON ch.id = changed.id),
recorded AS (
  INSERT INTO history.status_changes
    (event_id, workspace_id, conversation_id, status, previous_status, changed_by, at)
  SELECT (m.entry #>> '{event,id}')::uuid, m.workspace_id, m.id, m.status, m.previous,
         m.entry #> '{event,payload,changedBy}', m.at
  FROM made m),
queued AS (
  INSERT INTO history.outbox (entries, status_changes_recorded)
  SELECT json_agg(jsonb_set(jsonb_set(m.entry, '{event,payload,customerId}', to_jsonb(m.customer_id)),
                            '{event,payload,previousStatus}', to_jsonb(m.previous)) ORDER BY m.n), true
  FROM made m
  HAVING count(*) > 0)
SELECT ch.n, ${CONVERSATION_COLUMNS},
       o.other_id, EXISTS (SELECT 1 FROM changed x WHERE x.id = c.id) AS changed,
       ch.refused IS TRUE AS refused
FROM (SELECT * FROM changed UNION ALL SELECT * FROM cur WHERE cur.id NOT IN (SELECT id FROM changed)) c
JOIN change ch ON ch.id = c.id
CROSS JOIN LATERAL (SELECT cu.name FROM history.customers cu WHERE cu.id = c.customer_id LIMIT 1) cu
LEFT JOIN other o ON o.id = c.id`;
}

/**
 * Runs status changes of distinct conversations (the caller's to ensure: a conversation twice
 * would be locked once and changed once) in one statement, and answers each change's row by its
 * index in `changes` (none: no such conversation in its workspace, or skipping locked rows, one
 * another transaction holds).
 */
export async function setStatuses(
  db: Db,
  changes: readonly StatusChange[],
  { skipLocked }: { skipLocked: boolean },
): Promise<Map<number, StatusChangeRow>> {
  const [name, sql] = skipLocked
    ? ['history.conversations.set-statuses.skip-locked', SET_STATUSES_SKIPPING_LOCKED]
    : ['history.conversations.set-statuses', SET_STATUSES];
  const found = await preparedRows<StatusChangeRow>(db, name, sql, [
    changes.map((c) => c.workspaceId),
    changes.map((c) => c.conversationId),
    changes.map((c) => c.status),
    changes.map((c) => c.changedAt),
    outboxJson(changes.map((c) => c.entry)),
    changes.map((c) => c.onlyFor),
  ]);
  return new Map(found.map((row) => [Number(row.n) - 1, row]));
}
