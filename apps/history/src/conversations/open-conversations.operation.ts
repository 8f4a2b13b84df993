import type { ConversationStatus } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { atMicros, type Db, rows } from '../database/sql.util.js';

export interface OpenConversation {
  readonly id: string;
  readonly customerId: string;
  readonly status: Exclude<ConversationStatus, 'resolved'>;
  /** Created by this call: its first message opens it. */
  readonly opened: boolean;
  /** The customer's attributes, for the event of the message that opens it. */
  readonly customerAttributes?: Record<string, string>;
}

interface Row {
  id: string;
  customer_id: string;
  status: 'open' | 'pending';
}

async function lockOpen(tx: Db, customerIds: readonly string[]): Promise<Row[]> {
  return rows<Row>(
    tx,
    `SELECT id, customer_id, status FROM history.conversations
     WHERE customer_id = ANY($1::uuid[]) AND status <> 'resolved' ORDER BY id FOR UPDATE`,
    [customerIds],
  );
}

/**
 * The open (or pending) conversation of each customer, locked for this transaction, created where
 * there is none. The partial unique index allows one per customer: a transaction that loses the
 * race to create it waits for the winner and takes its conversation. A conversation created is
 * opened at `nowMicros`, the clock's time (ADR 0120).
 */
export async function openConversations(
  tx: Db,
  customers: readonly { workspaceId: string; customerId: string }[],
  nowMicros: string,
): Promise<Map<string, OpenConversation>> {
  const ids = [...new Set(customers.map((c) => c.customerId))];
  const result = new Map<string, OpenConversation>();
  for (const row of await lockOpen(tx, ids))
    result.set(row.customer_id, {
      id: row.id,
      customerId: row.customer_id,
      status: row.status,
      opened: false,
    });
  const seen = new Set<string>();
  const missing = customers.filter((c) => {
    if (result.has(c.customerId) || seen.has(c.customerId)) return false;
    seen.add(c.customerId);
    return true;
  });
  if (missing.length === 0) return result;

  const created = await rows<{ id: string; customer_id: string; attributes: Record<string, string> }>(
    tx,
    `WITH created AS (
       INSERT INTO history.conversations (id, workspace_id, customer_id, status, opened_at, last_message_at)
       SELECT u.id, u.w, u.c, 'open', ${atMicros('$4')}, ${atMicros('$4')}
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS u(id, w, c)
       ON CONFLICT DO NOTHING
       RETURNING id, customer_id)
     SELECT created.id, created.customer_id, cu.attributes
     FROM created JOIN history.customers cu ON cu.id = created.customer_id`,
    [
      missing.map(() => randomUUID()),
      missing.map((c) => c.workspaceId),
      missing.map((c) => c.customerId),
      nowMicros,
    ],
  );
  for (const row of created) {
    result.set(row.customer_id, {
      id: row.id,
      customerId: row.customer_id,
      status: 'open',
      opened: true,
      customerAttributes: row.attributes,
    });
  }
  const raced = missing.filter((c) => !result.has(c.customerId)).map((c) => c.customerId);
  if (raced.length > 0) {
    for (const row of await lockOpen(tx, raced))
      result.set(row.customer_id, {
        id: row.id,
        customerId: row.customer_id,
        status: row.status,
        opened: false,
      });
  }
  return result;
}
