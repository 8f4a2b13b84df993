import { queryRows } from '@switchboard/platform';
import type { EntityManager } from 'typeorm';

// One advisory lock key per workspace (a 64-bit hash: a collision only makes two workspaces wait
// on each other, never lets a batch and a swap of the same one run together).
const KEY = `hashtextextended('reporting.workspace:' || w, 0)`;

/**
 * The live consumer's side of a rebuild's swap (ADR 0106): every transaction that writes a
 * workspace's facts or figures holds its lock shared, from its first statement to its commit, so a
 * swap (exclusive) waits for the batches in flight and the next ones wait for the swap. Taken in
 * key order: two batches never deadlock over them.
 */
export async function holdWorkspacesShared(
  tx: EntityManager,
  workspaceIds: readonly string[],
): Promise<void> {
  if (workspaceIds.length === 0) return;
  await queryRows(
    tx,
    `SELECT count(pg_advisory_xact_lock_shared(k))
       FROM (SELECT DISTINCT ${KEY} AS k FROM unnest($1::text[]) AS w ORDER BY 1) AS keys`,
    [[...new Set(workspaceIds)]],
  );
}

/** The rebuild's swap holds its workspace alone until it commits. */
export async function holdWorkspaceExclusive(tx: EntityManager, workspaceId: string): Promise<void> {
  await queryRows(tx, `SELECT pg_advisory_xact_lock(${KEY}) FROM (VALUES ($1::text)) AS v(w)`, [workspaceId]);
}
