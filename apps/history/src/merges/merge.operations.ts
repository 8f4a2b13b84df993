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

interface LockedCustomer {
  id: string;
  erased_at: Date | null;
  merged_into: string | null;
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
 * Moves the source customer's identities, conversations and timeline to the target, inside the
 * caller's transaction, and records what moved so that undo moves exactly that back. Both having
 * an open conversation would break "one open conversation per customer": the source's is resolved.
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
  const open = await rows<{ id: string; customer_id: string; status: 'open' | 'pending' }>(
    tx,
    `SELECT id, customer_id, status FROM history.conversations
     WHERE customer_id = ANY($1::uuid[]) AND status <> 'resolved' ORDER BY id FOR UPDATE`,
    [[targetId, sourceId]],
  );
  const sourceOpen = open.find((c) => c.customer_id === sourceId);
  if (sourceOpen !== undefined && open.some((c) => c.customer_id === targetId)) {
    const [resolved] = await rows<{ resolved_at: Date }>(
      tx,
      `UPDATE history.conversations
       SET status = 'resolved', resolved_at = now(), waiting_since = NULL, updated_at = now()
       WHERE id = $1 RETURNING resolved_at`,
      [sourceOpen.id],
    );
    outbox.push(
      statusChangedEntry({
        workspaceId,
        conversationId: sourceOpen.id,
        customerId: targetId,
        status: 'resolved',
        previousStatus: sourceOpen.status,
        changedBy: by,
        changedAt: isoRequired(resolved!.resolved_at),
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
  const [merge] = await rows<MergeRow>(
    tx,
    `INSERT INTO history.merges
       (id, workspace_id, target_customer_id, source_customer_id, merged_by, identity_ids, conversation_ids)
     VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7::uuid[])
     RETURNING id, target_customer_id, source_customer_id, merged_by, merged_at, undone_at`,
    [
      randomUUID(),
      workspaceId,
      targetId,
      sourceId,
      JSON.stringify(by),
      identities.map((i) => i.id),
      conversationIds,
    ],
  );
  return { merge: mergeView(merge!), outbox };
}

/**
 * Moves back what the merge moved (identities and conversations, with their messages). Whatever
 * the target gained since (new identities, new conversations) stays with it. Undoing twice is a
 * no-op that returns the same record.
 */
export async function undoMergeInTransaction(
  tx: Db,
  workspaceId: string,
  mergeId: string,
  by: MessageSender,
): Promise<MergeView> {
  const [merge] = await rows<MergeRow & { identity_ids: string[]; conversation_ids: string[] }>(
    tx,
    `SELECT id, target_customer_id, source_customer_id, merged_by, merged_at, undone_at, identity_ids,
            conversation_ids
     FROM history.merges WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
    [workspaceId, mergeId],
  );
  if (merge === undefined) throw new NotFoundError(`merge ${mergeId}`);
  if (merge.undone_at !== null) return mergeView(merge);
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
  const [undone] = await rows<MergeRow>(
    tx,
    `UPDATE history.merges SET undone_at = now(), undone_by = $2 WHERE id = $1
     RETURNING id, target_customer_id, source_customer_id, merged_by, merged_at, undone_at`,
    [mergeId, JSON.stringify(by)],
  );
  return mergeView(undone!);
}
