import {
  FailedPreconditionError,
  InvalidArgumentError,
  type MergeView,
  type MessageSender,
  NotFoundError,
} from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { statusChangedEntry } from '../conversations/conversation-events.js';
import { type Db, iso, isoRequired, rows } from '../database/sql.util.js';
import { customerLabelsChangedEntry } from '../labels/label-events.js';
import type { OutboxEntry } from '../outbox/outbox.js';

export interface MergeRow {
  id: string;
  target_customer_id: string;
  source_customer_id: string;
  merged_by: MessageSender;
  merged_at: Date;
  undone_at: Date | null;
}

export function mergeView(row: MergeRow): MergeView {
  return {
    id: row.id,
    targetCustomerId: row.target_customer_id,
    sourceCustomerId: row.source_customer_id,
    mergedBy: row.merged_by,
    mergedAt: isoRequired(row.merged_at),
    undoneAt: iso(row.undone_at),
  };
}

interface OpenConversationRow {
  id: string;
  customer_id: string;
  status: 'open' | 'pending';
  /** Full precision text: undo compares and restores it exactly (a JS Date keeps milliseconds). */
  waiting_since: string | null;
}

interface LockedCustomer {
  id: string;
  erased_at: Date | null;
  merged_into: string | null;
}

/** The customer's labels now, told on the log as changed by a merge or its undo. */
async function labelsOfCustomerEntry(
  tx: Db,
  workspaceId: string,
  customerId: string,
  by: MessageSender,
): Promise<OutboxEntry> {
  const labels = await rows<{ label_id: string }>(
    tx,
    'SELECT label_id FROM history.customer_labels WHERE customer_id = $1 ORDER BY created_at, label_id',
    [customerId],
  );
  return customerLabelsChangedEntry({
    workspaceId,
    customerId,
    labelIds: labels.map((l) => l.label_id),
    changedBy: by,
    changedAt: new Date().toISOString(),
    cause: 'merge',
  });
}

async function lockCustomers(tx: Db, workspaceId: string, ids: readonly string[]): Promise<LockedCustomer[]> {
  // Always in id order: two merges of the same pair can't deadlock.
  return rows<LockedCustomer>(
    tx,
    `SELECT id, erased_at, merged_into FROM history.customers
     WHERE workspace_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
    [workspaceId, ids],
  );
}

/**
 * Moves the source customer's identities, conversations and timeline to the target, and gives it
 * the source's labels, inside the caller's transaction, and records what moved so that undo moves exactly that back. Both having
 * an open conversation would break "one open conversation per customer": the source's is resolved,
 * and the merge remembers how it was (status, waiting since) so that undo can reopen it.
 */
export async function mergeCustomersInTransaction(
  tx: Db,
  workspaceId: string,
  targetId: string,
  sourceId: string,
  by: MessageSender,
): Promise<{ merge: MergeView; outbox: OutboxEntry[] }> {
  if (targetId === sourceId)
    throw new InvalidArgumentError('a customer cannot be merged into itself', [
      { field: 'sourceCustomerId', description: 'must differ from targetCustomerId' },
    ]);
  const locked = await lockCustomers(tx, workspaceId, [targetId, sourceId]);
  const target = locked.find((c) => c.id === targetId);
  const source = locked.find((c) => c.id === sourceId);
  if (target === undefined) throw new NotFoundError(`customer ${targetId}`);
  if (source === undefined) throw new NotFoundError(`customer ${sourceId}`);
  for (const c of [target, source]) {
    if (c.erased_at !== null) throw new FailedPreconditionError(`customer ${c.id} has been erased`);
    if (c.merged_into !== null)
      throw new FailedPreconditionError(`customer ${c.id} has already been merged into ${c.merged_into}`);
  }

  const outbox: OutboxEntry[] = [];
  const open = await rows<OpenConversationRow>(
    tx,
    `SELECT id, customer_id, status, waiting_since::text FROM history.conversations
     WHERE customer_id = ANY($1::uuid[]) AND status <> 'resolved' ORDER BY id FOR UPDATE`,
    [[targetId, sourceId]],
  );
  const sourceOpen = open.find((c) => c.customer_id === sourceId);
  let resolvedBy: { conversation: OpenConversationRow; at: string } | undefined;
  if (sourceOpen !== undefined && open.some((c) => c.customer_id === targetId)) {
    const [resolved] = await rows<{ resolved_at: Date; resolved_at_key: string }>(
      tx,
      `UPDATE history.conversations
       SET status = 'resolved', resolved_at = now(), waiting_since = NULL, updated_at = now()
       WHERE id = $1 RETURNING resolved_at, resolved_at::text AS resolved_at_key`,
      [sourceOpen.id],
    );
    resolvedBy = { conversation: sourceOpen, at: resolved!.resolved_at_key };
    outbox.push(
      statusChangedEntry({
        workspaceId,
        conversationId: sourceOpen.id,
        customerId: targetId,
        status: 'resolved',
        previousStatus: sourceOpen.status,
        changedBy: by,
        changedAt: isoRequired(resolved!.resolved_at),
        // Not the end of a conversation: it goes on in the target's open one.
        cause: 'merge',
      }),
    );
  }

  const identities = await rows<{ id: string }>(
    tx,
    'UPDATE history.identities SET customer_id = $1 WHERE customer_id = $2 RETURNING id',
    [targetId, sourceId],
  );
  const conversations = await rows<{ id: string }>(
    tx,
    'UPDATE history.conversations SET customer_id = $1, updated_at = now() WHERE customer_id = $2 RETURNING id',
    [targetId, sourceId],
  );
  const conversationIds = conversations.map((c) => c.id);
  await tx.query('UPDATE history.messages SET customer_id = $1 WHERE conversation_id = ANY($2::uuid[])', [
    targetId,
    conversationIds,
  ]);
  await tx.query(
    `UPDATE history.customers t
     SET name = coalesce(t.name, s.name), updated_at = now()
     FROM history.customers s WHERE t.id = $1 AND s.id = $2`,
    [targetId, sourceId],
  );
  await tx.query('UPDATE history.customers SET merged_into = $1, updated_at = now() WHERE id = $2', [
    targetId,
    sourceId,
  ]);
  await tx.query(
    `DELETE FROM history.merge_suggestions
     WHERE (customer_id = $1 AND candidate_customer_id = $2) OR (customer_id = $2 AND candidate_customer_id = $1)`,
    [targetId, sourceId],
  );
  // The survivor carries both sides' labels (ADR 0117). The source keeps its own rows (it is only
  // merged away), and the merge records the ids the target gained: undo takes back exactly those.
  const gained = await rows<{ label_id: string }>(
    tx,
    `INSERT INTO history.customer_labels (workspace_id, customer_id, label_id)
     SELECT $1, $2, label_id FROM history.customer_labels WHERE customer_id = $3
     ON CONFLICT DO NOTHING RETURNING label_id`,
    [workspaceId, targetId, sourceId],
  );
  const gainedIds = gained.map((l) => l.label_id);
  if (gainedIds.length > 0) outbox.push(await labelsOfCustomerEntry(tx, workspaceId, targetId, by));
  const [merge] = await rows<MergeRow>(
    tx,
    `INSERT INTO history.merges
       (id, workspace_id, target_customer_id, source_customer_id, merged_by, identity_ids, conversation_ids,
        resolved_conversation_id, resolved_conversation_status, resolved_conversation_waiting_since,
        resolved_conversation_at, label_ids)
     VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7::uuid[], $8, $9, $10::timestamptz, $11::timestamptz, $12::uuid[])
     RETURNING id, target_customer_id, source_customer_id, merged_by, merged_at, undone_at`,
    [
      randomUUID(),
      workspaceId,
      targetId,
      sourceId,
      JSON.stringify(by),
      identities.map((i) => i.id),
      conversationIds,
      resolvedBy?.conversation.id ?? null,
      resolvedBy?.conversation.status ?? null,
      resolvedBy?.conversation.waiting_since ?? null,
      resolvedBy?.at ?? null,
      gainedIds,
    ],
  );
  return { merge: mergeView(merge!), outbox };
}

/**
 * Moves back what the merge moved (identities and conversations, with their messages). Whatever
 * the target gained since (new identities, new conversations) stays with it. The conversation the
 * merge resolved (the source's open one, when the target had one too) is reopened as it was —
 * open or pending, waiting since when it waited — unless someone has reopened or resolved it
 * since or the source has another open conversation again: the later state wins, and a customer
 * never ends with two open conversations. Undoing twice is a no-op that returns the same record.
 */
export async function undoMergeInTransaction(
  tx: Db,
  workspaceId: string,
  mergeId: string,
  by: MessageSender,
): Promise<{ merge: MergeView; outbox: OutboxEntry[] }> {
  const [merge] = await rows<
    MergeRow & {
      identity_ids: string[];
      conversation_ids: string[];
      resolved_conversation_id: string | null;
      resolved_conversation_status: 'open' | 'pending' | null;
      // Text, not Date: compared and restored to the microsecond.
      resolved_conversation_waiting_since: string | null;
      resolved_conversation_at: string | null;
      label_ids: string[];
    }
  >(
    tx,
    `SELECT id, target_customer_id, source_customer_id, merged_by, merged_at, undone_at, identity_ids,
            conversation_ids, resolved_conversation_id, resolved_conversation_status,
            resolved_conversation_waiting_since::text, resolved_conversation_at::text, label_ids
     FROM history.merges WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
    [workspaceId, mergeId],
  );
  if (merge === undefined) throw new NotFoundError(`merge ${mergeId}`);
  if (merge.undone_at !== null) return { merge: mergeView(merge), outbox: [] };
  const targetId = merge.target_customer_id;
  const sourceId = merge.source_customer_id;
  const locked = await lockCustomers(tx, workspaceId, [targetId, sourceId]);
  const target = locked.find((c) => c.id === targetId);
  const source = locked.find((c) => c.id === sourceId);
  if (target?.erased_at != null || source?.erased_at != null)
    throw new FailedPreconditionError('a customer of this merge has been erased');
  if (target?.merged_into != null)
    throw new FailedPreconditionError(
      `customer ${targetId} was merged into ${target.merged_into} since: undo that merge first`,
    );
  await tx.query(
    'UPDATE history.identities SET customer_id = $1 WHERE id = ANY($2::uuid[]) AND customer_id = $3',
    [sourceId, merge.identity_ids, targetId],
  );
  const moved = await rows<{ id: string }>(
    tx,
    `UPDATE history.conversations SET customer_id = $1, updated_at = now()
     WHERE id = ANY($2::uuid[]) AND customer_id = $3 RETURNING id`,
    [sourceId, merge.conversation_ids, targetId],
  );
  await tx.query('UPDATE history.messages SET customer_id = $1 WHERE conversation_id = ANY($2::uuid[])', [
    sourceId,
    moved.map((c) => c.id),
  ]);
  await tx.query('UPDATE history.customers SET merged_into = NULL, updated_at = now() WHERE id = $1', [
    sourceId,
  ]);

  const outbox: OutboxEntry[] = [];
  // The labels the target gained from the source go back (the source never lost its own); a label
  // deleted since is gone from both already. One the target had before the merge was not gained.
  const takenBack = await rows<{ label_id: string }>(
    tx,
    `DELETE FROM history.customer_labels WHERE customer_id = $1 AND label_id = ANY($2::uuid[]) RETURNING label_id`,
    [targetId, merge.label_ids],
  );
  if (takenBack.length > 0) outbox.push(await labelsOfCustomerEntry(tx, workspaceId, targetId, by));
  if (merge.resolved_conversation_id !== null && moved.some((c) => c.id === merge.resolved_conversation_id)) {
    // Still resolved by this merge (not reopened, nor resolved again by someone since), and the
    // source holds no other open conversation (the partial unique index would refuse a second).
    const [reopened] = await rows<{ updated_at: Date }>(
      tx,
      `UPDATE history.conversations c
       SET status = $2, resolved_at = NULL, waiting_since = $3::timestamptz, updated_at = now()
       WHERE c.id = $1 AND c.status = 'resolved' AND c.resolved_at = $4::timestamptz
         AND NOT EXISTS (SELECT 1 FROM history.conversations o
                         WHERE o.customer_id = c.customer_id AND o.status <> 'resolved')
       RETURNING c.updated_at`,
      [
        merge.resolved_conversation_id,
        merge.resolved_conversation_status,
        merge.resolved_conversation_waiting_since,
        merge.resolved_conversation_at,
      ],
    );
    if (reopened !== undefined)
      outbox.push(
        statusChangedEntry({
          workspaceId,
          conversationId: merge.resolved_conversation_id,
          customerId: sourceId,
          status: merge.resolved_conversation_status!,
          previousStatus: 'resolved',
          changedBy: by,
          changedAt: isoRequired(reopened.updated_at),
          cause: 'merge',
        }),
      );
  }
  const [undone] = await rows<MergeRow>(
    tx,
    `UPDATE history.merges SET undone_at = now(), undone_by = $2 WHERE id = $1
     RETURNING id, target_customer_id, source_customer_id, merged_by, merged_at, undone_at`,
    [mergeId, JSON.stringify(by)],
  );
  return { merge: mergeView(undone!), outbox };
}
