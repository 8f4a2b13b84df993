import type { Channel } from '@switchboard/contracts';
import { preparedRows } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import { atMicros, type Db, microsOf, nextMessageAt, rows } from '../database/sql.util.js';
import type { OpenConversation } from './open-conversations.operation.js';

/** A customer's inbound messages of one batch, as they move their conversation. */
export interface ConversationAdvance {
  readonly workspaceId: string;
  readonly customerId: string;
  /** How many messages: the conversation's sequence moves by this much. */
  readonly count: number;
  /** The last message's preview, channel and account: where replies go by default. */
  readonly preview: string | null;
  readonly channel: Channel;
  readonly channelAccountId: string;
  /** The customer was made in this transaction: they have no conversation to advance yet. */
  readonly newCustomer: boolean;
}

export interface AdvancedConversation {
  /** `status` is the one before this batch (a pending conversation is now open again). */
  readonly conversation: OpenConversation;
  /** The sequence before this batch: its messages take base + 1 … base + count. */
  readonly base: number;
  /**
   * The batch's first message's time, in microseconds since the epoch: the clock's, or just after
   * the conversation's last message, read once this transaction held its row (any transaction that
   * wrote to it before has committed by then), so the batch's messages can be timed from here on
   * (base + 1 µs per message) and still sort after every earlier one.
   */
  readonly lockedAtMicros: bigint;
}

/**
 * A conversation for a customer made in this transaction, timed and numbered but not yet written:
 * the caller inserts it (`openedConversationsInsert`) in the statement that writes its messages.
 */
export interface OpenedConversation {
  readonly id: string;
  readonly advance: ConversationAdvance;
}

export interface AdvancedConversations {
  readonly byCustomer: Map<string, AdvancedConversation>;
  /** For new customers: to insert with their messages, one round trip fewer. */
  readonly opened: readonly OpenedConversation[];
}

/**
 * Moves each customer's open conversation by its messages of the batch in one UPDATE (which is
 * also the row lock), and opens a conversation, already advanced, for customers without one. The
 * partial unique index settles two batches opening one for the same customer: the loser advances
 * the winner's. The ingest path's equivalent of `openConversations` + an UPDATE, one statement
 * and one tuple version fewer per conversation. New customers (every sender's first message) need
 * no statement here: no other transaction sees them yet, so no conversation of theirs can exist or
 * race; theirs are planned and returned in `opened`. `nowMicros` is the clock's time (ADR 0120).
 */
export async function advanceConversations(
  tx: Db,
  advances: readonly ConversationAdvance[],
  nowMicros: string,
): Promise<AdvancedConversations> {
  const result = new Map<string, AdvancedConversation>();
  const update = async (list: readonly ConversationAdvance[]) => {
    const updated = await preparedRows<{
      id: string;
      customer_id: string;
      status: 'open' | 'pending';
      base: number;
      locked_at: string;
    }>(
      tx,
      'history.conversations.advance',
      `UPDATE history.conversations c
       SET last_sequence = c.last_sequence + u.n,
           last_message_at = ${nextMessageAt('$6', 'c.last_message_at')} + (u.n - 1) * interval '1 microsecond',
           last_message_preview = u.preview, channel = u.channel, channel_account_id = u.account,
           waiting_since = coalesce(c.waiting_since, ${nextMessageAt('$6', 'c.last_message_at')}),
           updated_at = clock_timestamp()
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[]) AS u(customer_id, n, preview, channel, account)
       WHERE c.customer_id = u.customer_id AND c.status <> 'resolved'
       RETURNING c.id, c.customer_id, c.status, c.last_sequence - u.n AS base,
                 ${microsOf("c.last_message_at - (u.n - 1) * interval '1 microsecond'")} AS locked_at`,
      [
        list.map((a) => a.customerId),
        list.map((a) => a.count),
        list.map((a) => a.preview),
        list.map((a) => a.channel),
        list.map((a) => a.channelAccountId),
        nowMicros,
      ],
    );
    for (const row of updated) {
      result.set(row.customer_id, {
        conversation: { id: row.id, customerId: row.customer_id, status: row.status, opened: false },
        base: Number(row.base),
        lockedAtMicros: BigInt(row.locked_at),
      });
    }
  };
  const opened: OpenedConversation[] = [];
  for (const advance of advances) {
    if (!advance.newCustomer) continue;
    const id = randomUUID();
    opened.push({ id, advance });
    result.set(advance.customerId, {
      // A customer made just now has the attributes' default: none.
      conversation: {
        id,
        customerId: advance.customerId,
        status: 'open',
        opened: true,
        customerAttributes: {},
      },
      base: 0,
      lockedAtMicros: BigInt(nowMicros),
    });
  }
  const known = advances.filter((a) => !a.newCustomer);
  if (known.length > 0) await update(known);
  const missing = known.filter((a) => !result.has(a.customerId));
  if (missing.length === 0) return { byCustomer: result, opened };

  const created = await rows<{
    id: string;
    customer_id: string;
    attributes: Record<string, string>;
    locked_at: string;
  }>(
    tx,
    `WITH created AS (
       INSERT INTO history.conversations
         (id, workspace_id, customer_id, status, opened_at, last_message_at, last_sequence, last_message_preview,
          channel, channel_account_id, waiting_since)
       SELECT u.id, u.w, u.c, 'open', ${atMicros('$8')}, ${atMicros('$8')} + (u.n - 1) * interval '1 microsecond',
              u.n, u.preview, u.channel, u.account, ${atMicros('$8')}
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[])
         AS u(id, w, c, n, preview, channel, account)
       ON CONFLICT DO NOTHING
       RETURNING id, customer_id, ${microsOf('opened_at')} AS locked_at)
     SELECT created.id, created.customer_id, cu.attributes, created.locked_at
     FROM created JOIN history.customers cu ON cu.id = created.customer_id`,
    [
      missing.map(() => randomUUID()),
      missing.map((a) => a.workspaceId),
      missing.map((a) => a.customerId),
      missing.map((a) => a.count),
      missing.map((a) => a.preview),
      missing.map((a) => a.channel),
      missing.map((a) => a.channelAccountId),
      nowMicros,
    ],
  );
  for (const row of created) {
    result.set(row.customer_id, {
      conversation: {
        id: row.id,
        customerId: row.customer_id,
        status: 'open',
        opened: true,
        customerAttributes: row.attributes,
      },
      base: 0,
      lockedAtMicros: BigInt(row.locked_at),
    });
  }
  const raced = missing.filter((a) => !result.has(a.customerId));
  if (raced.length > 0) await update(raced);
  return { byCustomer: result, opened };
}

/**
 * The INSERT of `opened` conversations, for a CTE of the caller's statement, its parameters from
 * `$first` on (`openedConversationsParameters`). Timed as the upsert above times the conversations
 * it opens: opened at the clock's time, its last message `count - 1` microseconds later.
 */
export function openedConversationsInsert(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO history.conversations
       (id, workspace_id, customer_id, status, opened_at, last_message_at, last_sequence, last_message_preview,
        channel, channel_account_id, waiting_since)
     SELECT o.id, o.w, o.c, 'open', ${atMicros(p(7))}, ${atMicros(p(7))} + (o.n - 1) * interval '1 microsecond',
            o.n, o.preview, o.channel, o.account, ${atMicros(p(7))}
     FROM unnest(${p(0)}::uuid[], ${p(1)}::uuid[], ${p(2)}::uuid[], ${p(3)}::int[], ${p(4)}::text[], ${p(5)}::text[],
                 ${p(6)}::text[]) AS o(id, w, c, n, preview, channel, account)`;
}

export function openedConversationsParameters(
  opened: readonly OpenedConversation[],
  nowMicros: string,
): unknown[] {
  return [
    opened.map((o) => o.id),
    opened.map((o) => o.advance.workspaceId),
    opened.map((o) => o.advance.customerId),
    opened.map((o) => o.advance.count),
    opened.map((o) => o.advance.preview),
    opened.map((o) => o.advance.channel),
    opened.map((o) => o.advance.channelAccountId),
    nowMicros,
  ];
}
