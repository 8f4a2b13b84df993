import type { IdentityKind, MessageSender } from '@switchboard/contracts';
import { preparedRows } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import { type Db, rows } from '../database/sql.util.js';
import { mergeCustomersInTransaction } from '../merges/merge.operations.js';
import type { OutboxEntry } from '../outbox/outbox.js';
import { identityKey, normalizeIdentityValue } from './identity-value.util.js';

export interface SenderIdentity {
  readonly workspaceId: string;
  readonly kind: IdentityKind;
  /** Already normalized (`normalizeIdentityValue`). */
  readonly value: string;
  readonly verified: boolean;
  readonly displayName?: string | undefined;
}

export interface ResolvedIdentity {
  readonly id: string;
  readonly customerId: string;
  readonly verified: boolean;
  readonly optedOut: boolean;
  /** Made by this call, with a new customer: one without any conversation yet. */
  readonly created: boolean;
}

/** A row of history.identities, as lookups return it. */
export interface IdentityRow {
  id: string;
  workspace_id: string;
  kind: string;
  value: string;
  customer_id: string;
  verified: boolean;
  opted_out: boolean;
}

export const IDENTITY_COLUMNS = 'id, workspace_id, kind, value, customer_id, verified, opted_out';

const SYSTEM: MessageSender = { type: 'system', name: 'identity linking' };

function resolved(row: IdentityRow, created = false): ResolvedIdentity {
  return {
    id: row.id,
    customerId: row.customer_id,
    verified: row.verified,
    optedOut: row.opted_out,
    created,
  };
}

async function selectIdentities(tx: Db, senders: readonly SenderIdentity[]): Promise<IdentityRow[]> {
  return rows<IdentityRow>(
    tx,
    `SELECT i.${IDENTITY_COLUMNS.split(', ').join(', i.')}
     FROM history.identities i
     JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS u(w, k, v)
       ON i.workspace_id = u.w AND i.kind = u.k AND i.value = u.v`,
    [senders.map((s) => s.workspaceId), senders.map((s) => s.kind), senders.map((s) => s.value)],
  );
}

/**
 * Finds or creates, in a few set-based statements whatever the batch size, the identity (and for
 * a new one, the customer) of every sender. Two transactions creating the same identity meet on
 * its unique key: the loser drops the customer it had made and takes the winner's. `existing`,
 * when given, is what a lookup of (at least) these senders' identities found in this transaction:
 * ingest reads it in the statement that also finds duplicates, one round trip fewer.
 */
export async function resolveIdentities(
  tx: Db,
  senders: readonly SenderIdentity[],
  existing?: readonly IdentityRow[],
): Promise<Map<string, ResolvedIdentity>> {
  const distinct = new Map<string, SenderIdentity>();
  for (const s of senders) {
    const key = identityKey(s.workspaceId, s.kind, s.value);
    const seen = distinct.get(key);
    if (seen === undefined) distinct.set(key, s);
    else if (s.verified && !seen.verified) distinct.set(key, { ...seen, verified: true });
  }
  const list = [...distinct.values()];
  const found = new Map<string, ResolvedIdentity>();
  const foundRows = new Map<string, IdentityRow>();
  for (const row of existing ?? (await selectIdentities(tx, list))) {
    const key = identityKey(row.workspace_id, row.kind, row.value);
    found.set(key, resolved(row));
    foundRows.set(key, row);
  }

  const missing = list.filter((s) => !found.has(identityKey(s.workspaceId, s.kind, s.value)));
  if (missing.length > 0) {
    const customerIds = missing.map(() => randomUUID());
    // Customers, identities and the merge suggestions their claims make, in one statement (one
    // round trip: ingest creates a customer per new sender). The identities' foreign key sees the
    // customers: it is checked once the whole statement has run.
    const inserted = await preparedRows<IdentityRow>(tx, 'history.identities.create', CREATE_IDENTITIES, [
      customerIds,
      missing.map((s) => s.workspaceId),
      missing.map((s) => s.displayName ?? null),
      missing.map(() => randomUUID()),
      missing.map((s) => s.kind),
      missing.map((s) => s.value),
      missing.map((s) => s.verified),
    ]);
    for (const row of inserted)
      found.set(identityKey(row.workspace_id, row.kind, row.value), resolved(row, true));
    const lostIndexes = missing
      .map((s, i) => (found.has(identityKey(s.workspaceId, s.kind, s.value)) ? -1 : i))
      .filter((i) => i >= 0);
    if (lostIndexes.length > 0) {
      await tx.query('DELETE FROM history.customers WHERE id = ANY($1::uuid[])', [
        lostIndexes.map((i) => customerIds[i]),
      ]);
      for (const row of await selectIdentities(
        tx,
        lostIndexes.map((i) => missing[i]!),
      )) {
        found.set(identityKey(row.workspace_id, row.kind, row.value), resolved(row));
      }
    }
  }

  // A channel now proves an address that was on record unproven.
  const upgraded = list.filter(
    (s) => s.verified && foundRows.get(identityKey(s.workspaceId, s.kind, s.value))?.verified === false,
  );
  if (upgraded.length > 0) {
    await tx.query('UPDATE history.identities SET verified = true WHERE id = ANY($1::uuid[])', [
      upgraded.map((s) => foundRows.get(identityKey(s.workspaceId, s.kind, s.value))!.id),
    ]);
  }
  const named = list.filter(
    (s) => s.displayName !== undefined && foundRows.has(identityKey(s.workspaceId, s.kind, s.value)),
  );
  if (named.length > 0) {
    await tx.query(
      `UPDATE history.customers c SET name = u.name, updated_at = now()
       FROM unnest($1::uuid[], $2::text[]) AS u(id, name)
       WHERE c.id = u.id AND c.name IS NULL AND c.erased_at IS NULL`,
      [
        named.map((s) => foundRows.get(identityKey(s.workspaceId, s.kind, s.value))!.customer_id),
        named.map((s) => s.displayName),
      ],
    );
  }
  return found;
}

/**
 * Unverified claims by other customers on identities just created become merge suggestions: an
 * INSERT for a CTE beside the one (`identities`, its name) returning the created rows. Each
 * identity's claims are one probe of `identity_claims_by_value` (a lateral subquery kept apart by
 * `OFFSET 0`): as a join, the generic plan of a statement prepared while the table was small hashed
 * a sequential scan of every claim, kept for every batch after (ADR 0143).
 */
function suggestFromClaimsSql(identities: string): string {
  return `INSERT INTO history.merge_suggestions (id, workspace_id, customer_id, candidate_customer_id, kind, value)
     SELECT gen_random_uuid(), c.workspace_id, c.customer_id, i.customer_id, c.kind, c.value
     FROM ${identities} i
     CROSS JOIN LATERAL (
       SELECT c.workspace_id, c.customer_id, c.kind, c.value FROM history.identity_claims c
       WHERE c.workspace_id = i.workspace_id AND c.kind = i.kind AND c.value = i.value
         AND c.customer_id <> i.customer_id
       OFFSET 0) c
     ON CONFLICT DO NOTHING`;
}

/**
 * Customers, their identities (a conflicting one is not inserted: the caller reads the winner's)
 * and the merge suggestions their claims make (`identities.create`).
 */
export const CREATE_IDENTITIES = `
WITH customers AS (
  INSERT INTO history.customers (id, workspace_id, name)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])),
inserted AS (
  INSERT INTO history.identities (id, workspace_id, customer_id, kind, value, verified)
  SELECT * FROM unnest($4::uuid[], $2::uuid[], $1::uuid[], $5::text[], $6::text[], $7::boolean[])
  ON CONFLICT (workspace_id, kind, value) DO NOTHING
  RETURNING ${IDENTITY_COLUMNS}),
suggested AS (${suggestFromClaimsSql('inserted')})
SELECT * FROM inserted`;

async function suggest(
  tx: Db,
  workspaceId: string,
  customerId: string,
  candidateId: string,
  kind: IdentityKind,
  value: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO history.merge_suggestions (id, workspace_id, customer_id, candidate_customer_id, kind, value)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [randomUUID(), workspaceId, customerId, candidateId, kind, value],
  );
}

export interface LinkedIdentity {
  readonly kind: IdentityKind;
  readonly address: string;
  readonly verified: boolean;
}

/**
 * The other addresses a channel knows for a sender (ADR 0011). A verified one (the site vouches
 * for its signed user's email) is the customer's identity: when another customer already holds
 * it verified, they are one person and are merged, recorded and undoable. An unverified one (a
 * visitor typed it) is only a claim: it never moves history, it suggests a merge to agents.
 * Returns the customer the sender belongs to afterwards.
 */
export async function linkIdentities(
  tx: Db,
  workspaceId: string,
  customerId: string,
  linked: readonly LinkedIdentity[],
  outbox: OutboxEntry[],
): Promise<string> {
  let current = customerId;
  for (const identity of linked) {
    const value = normalizeIdentityValue(identity.kind, identity.address);
    const [existing] = await selectIdentities(tx, [
      { workspaceId, kind: identity.kind, value, verified: false },
    ]);
    if (!identity.verified) {
      await tx.query(
        `INSERT INTO history.identity_claims (workspace_id, customer_id, kind, value)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [workspaceId, current, identity.kind, value],
      );
      if (existing !== undefined && existing.customer_id !== current)
        await suggest(tx, workspaceId, current, existing.customer_id, identity.kind, value);
      continue;
    }
    if (existing === undefined) {
      const created = await resolveIdentitiesFor(tx, workspaceId, current, identity.kind, value);
      if (created === current) continue;
      // Someone else created it in the meantime: handle it as existing on the next pass.
      const [raced] = await selectIdentities(tx, [
        { workspaceId, kind: identity.kind, value, verified: true },
      ]);
      if (raced !== undefined) current = await joinVerified(tx, workspaceId, current, raced, outbox);
      continue;
    }
    current = await joinVerified(tx, workspaceId, current, existing, outbox);
  }
  return current;
}

async function joinVerified(
  tx: Db,
  workspaceId: string,
  customerId: string,
  existing: IdentityRow,
  outbox: OutboxEntry[],
): Promise<string> {
  if (existing.customer_id === customerId) {
    if (!existing.verified)
      await tx.query('UPDATE history.identities SET verified = true WHERE id = $1', [existing.id]);
    return customerId;
  }
  if (
    !existing.verified &&
    existing.kind === 'web_visitor' &&
    (await isAnonymous(tx, existing.customer_id))
  ) {
    // A visitor id is no claim typed by anyone: the web channel made it, and links it verified only
    // once the site signed in the user who held its token (ADR 0044). The anonymous customer it
    // made is this one: merged in (recorded, undoable) and the visitor id now proven.
    const { outbox: events } = await mergeCustomersInTransaction(
      tx,
      workspaceId,
      customerId,
      existing.customer_id,
      SYSTEM,
    );
    outbox.push(...events);
    await tx.query('UPDATE history.identities SET verified = true WHERE id = $1', [existing.id]);
    return customerId;
  }
  if (!existing.verified) {
    // The other customer's hold on the value was never proven: no merge on an unproven side.
    await suggest(
      tx,
      workspaceId,
      customerId,
      existing.customer_id,
      existing.kind as IdentityKind,
      existing.value,
    );
    return customerId;
  }
  const { outbox: events } = await mergeCustomersInTransaction(
    tx,
    workspaceId,
    existing.customer_id,
    customerId,
    SYSTEM,
  );
  outbox.push(...events);
  return existing.customer_id;
}

/** True when nothing proves who the customer is: no verified identity (an anonymous visitor). */
async function isAnonymous(tx: Db, customerId: string): Promise<boolean> {
  const proven = await rows<{ id: string }>(
    tx,
    'SELECT id FROM history.identities WHERE customer_id = $1 AND verified LIMIT 1',
    [customerId],
  );
  return proven.length === 0;
}

/** Creates a verified identity on the customer; returns the customer that holds it afterwards. */
async function resolveIdentitiesFor(
  tx: Db,
  workspaceId: string,
  customerId: string,
  kind: IdentityKind,
  value: string,
): Promise<string | undefined> {
  const inserted = await rows<IdentityRow>(
    tx,
    `WITH inserted AS (
       INSERT INTO history.identities (id, workspace_id, customer_id, kind, value, verified)
       VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (workspace_id, kind, value) DO NOTHING
       RETURNING ${IDENTITY_COLUMNS}),
     suggested AS (${suggestFromClaimsSql('inserted')})
     SELECT * FROM inserted`,
    [randomUUID(), workspaceId, customerId, kind, value],
  );
  return inserted[0]?.customer_id;
}
