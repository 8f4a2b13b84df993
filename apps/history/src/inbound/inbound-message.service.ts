import { Injectable } from '@nestjs/common';
import type { InboundMessageReceivedV1, MessageSender } from '@switchboard/contracts';
import { Clock, InjectServiceDataSource, isUniqueViolation, preparedRows } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { maskCardNumbersOrNull } from '../card-numbers/card-number-mask.util.js';
import { messageAppendedEntry, statusChangedEntry } from '../conversations/conversation-events.js';
import {
  advanceConversations,
  openedConversationsInsert,
  openedConversationsParameters,
} from '../conversations/advance-conversations.operation.js';
import { lastMessagePreview } from '../conversations/conversation-view.js';
import { clockMicros, type Db } from '../database/sql.util.js';
import {
  IDENTITY_COLUMNS,
  type IdentityRow,
  linkIdentities,
  resolveIdentities,
} from '../identities/identity-resolver.js';
import { identityKey, normalizeIdentityValue } from '../identities/identity-value.util.js';
import { type OutboxEntry, outboxJson } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';

export interface IngestResult {
  readonly stored: number;
  readonly duplicates: number;
}

/**
 * Another transaction stored some of this batch's messages between our check and our insert (a
 * consumer that lost its partition but not yet its batch). Rolling back and trying again is
 * right: the next attempt sees them as duplicates, and sequence numbers stay gapless.
 */
export class ConcurrentIngestError extends Error {
  override readonly name = 'ConcurrentIngestError';
}

/**
 * One statement finds both the messages already stored (by the natural key) and the senders'
 * identities. Each is one index probe per key, whatever the planner thinks of the tables: LIMIT
 * keeps a lateral subquery from being flattened into a join, which on a table whose statistics lag
 * its growth (a fresh database, a burst) was a hash join over a full scan — every batch reading
 * every message stored so far. A message is found by the provider's id and account, which lead
 * the unique key, its workspace compared with `IS NOT DISTINCT FROM`, which no index serves: with
 * `workspace_id = …` a generic plan made on a table without statistics walked the workspace's
 * messages through `messages_by_channel_time` for every key (ADR 0143).
 */
export const INGEST_LOOKUP = `
WITH u AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(w, a, p, k, v))
SELECT
  (SELECT json_agg(json_build_object('w', u.w, 'a', u.a, 'p', u.p))
   FROM u CROSS JOIN LATERAL (
     SELECT 1 FROM history.messages m
     WHERE m.provider_message_id = u.p AND m.channel_account_id = u.a AND m.workspace_id IS NOT DISTINCT FROM u.w
     LIMIT 1) AS found) AS stored,
  (SELECT json_agg(i)
   FROM (SELECT DISTINCT w, k, v FROM u) AS s CROSS JOIN LATERAL (
     SELECT ${IDENTITY_COLUMNS} FROM history.identities
     WHERE workspace_id = s.w AND kind = s.k AND value = s.v
     LIMIT 1) AS i) AS identities`;

/** Up to this many messages go in one shared ingest transaction, from however many partitions' batches. */
const MESSAGES_PER_TRANSACTION = 1_000;
/** A partition's batch of this many messages or more is written in a transaction of its own, at once. */
const WRITTEN_ALONE = 200;

/** A partition's batch waiting for the ingest transaction it will share with others. */
interface WaitingBatch {
  readonly events: readonly InboundMessageReceivedV1[];
  readonly resolve: (result: IngestResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Item {
  readonly event: InboundMessageReceivedV1;
  readonly text: string | null;
  readonly senderValue: string;
  customerId: string;
}

/**
 * Stores inbound customer messages, each once however often it arrives, in one transaction per
 * batch of a few set-based statements: sustained ingest is thousands a second. In that same
 * transaction it resolves senders to customers, appends to each customer's one open conversation
 * (or opens one) with gapless sequence numbers, and writes the events for routing and the inbox
 * to the outbox (ADR 0010, 0012).
 */
@Injectable()
export class InboundMessageService {
  private readonly waiting: WaitingBatch[] = [];
  private writing = false;

  constructor(
    @InjectServiceDataSource('history') private readonly db: DataSource,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores a partition's batch; resolves once it is committed. The consumer hands over several
   * partitions' batches at once. A small one (a steady rate: a message or two per partition)
   * waits while the ingest transaction of small ones is written, and goes with the others that
   * arrived meanwhile in the next: a transaction's cost is mostly its round trips, whatever its
   * size. A large one (a backlog) is written at once in its own transaction, in parallel with the
   * others, as a loaded machine needs.
   */
  ingest(events: readonly InboundMessageReceivedV1[]): Promise<IngestResult> {
    if (events.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    return new Promise<IngestResult>((resolve, reject) => {
      const batch = { events, resolve, reject };
      if (events.length >= WRITTEN_ALONE) {
        void this.write([batch]);
        return;
      }
      this.waiting.push(batch);
      if (!this.writing) void this.writeWaiting();
    });
  }

  private async writeWaiting(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        let messages = 0;
        let take = 0;
        while (take < this.waiting.length && (take === 0 || messages < MESSAGES_PER_TRANSACTION)) {
          messages += this.waiting[take]!.events.length;
          take += 1;
        }
        await this.write(this.waiting.splice(0, take));
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * One transaction for the batches. When it fails and holds several, each is written again on
   * its own and settles with its own outcome: one batch's poison message or lost partition must
   * not fail (and in the end dead-letter) the others'.
   */
  private async write(batches: readonly WaitingBatch[]): Promise<void> {
    let stored: Set<InboundMessageReceivedV1>;
    try {
      stored = await this.db.transaction((tx) =>
        this.ingestInTransaction(
          tx,
          batches.flatMap((b) => b.events),
        ),
      );
    } catch (error) {
      if (batches.length === 1) batches[0]!.reject(error);
      else for (const batch of batches) await this.write([batch]);
      return;
    }
    if (stored.size > 0) this.relay.kick();
    for (const batch of batches) {
      const mine = batch.events.filter((e) => stored.has(e)).length;
      batch.resolve({ stored: mine, duplicates: batch.events.length - mine });
    }
  }

  /** Resolves with the events stored (the rest were already stored, or repeated in the batch). */
  private async ingestInTransaction(
    tx: Db,
    events: readonly InboundMessageReceivedV1[],
  ): Promise<Set<InboundMessageReceivedV1>> {
    const seen = new Set<string>();
    const items: Item[] = [];
    for (const event of events) {
      const p = event.payload;
      const key = `${event.workspaceId}\u0000${p.channelAccountId}\u0000${p.providerMessageId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push({
        event,
        // Card numbers are masked before anything else sees the text (PCI DSS 3.4.1).
        text: maskCardNumbersOrNull(p.text),
        senderValue: normalizeIdentityValue(p.sender.kind, p.sender.address),
        customerId: '',
      });
    }

    const [lookup] = await preparedRows<{
      stored: { w: string; a: string; p: string }[] | null;
      identities: IdentityRow[] | null;
    }>(tx, 'history.ingest.lookup', INGEST_LOOKUP, [
      items.map((i) => i.event.workspaceId),
      items.map((i) => i.event.payload.channelAccountId),
      items.map((i) => i.event.payload.providerMessageId),
      items.map((i) => i.event.payload.sender.kind),
      items.map((i) => i.senderValue),
    ]);
    const storedKeys = new Set((lookup?.stored ?? []).map((r) => `${r.w}\u0000${r.a}\u0000${r.p}`));
    const fresh = items.filter(
      (i) =>
        !storedKeys.has(
          `${i.event.workspaceId}\u0000${i.event.payload.channelAccountId}\u0000${i.event.payload.providerMessageId}`,
        ),
    );
    if (fresh.length === 0) return new Set();

    const outbox: OutboxEntry[] = [];
    const identities = await resolveIdentities(
      tx,
      fresh.map((i) => ({
        workspaceId: i.event.workspaceId,
        kind: i.event.payload.sender.kind,
        value: i.senderValue,
        verified: i.event.payload.sender.verified,
        displayName: i.event.payload.sender.displayName,
      })),
      lookup?.identities ?? [],
    );
    for (const item of fresh) {
      item.customerId = identities.get(
        identityKey(item.event.workspaceId, item.event.payload.sender.kind, item.senderValue),
      )!.customerId;
    }
    // Linked addresses (a signed web user's email…) are rare and may merge customers: one by one, in order.
    const movedTo = new Map<string, string>();
    const currentCustomer = (id: string) => {
      let current = id;
      while (movedTo.has(current)) current = movedTo.get(current)!;
      return current;
    };
    for (const item of fresh) {
      const linked = item.event.payload.sender.identities;
      if (linked === undefined || linked.length === 0) continue;
      const current = currentCustomer(item.customerId);
      const after = await linkIdentities(tx, item.event.workspaceId, current, linked, outbox);
      if (after !== current) movedTo.set(current, after);
    }
    for (const item of fresh) item.customerId = currentCustomer(item.customerId);
    // Customers made just now have no conversation: no UPDATE to look for one. Not when linking
    // ran: a merge may have moved another customer's conversation to one of them.
    const newCustomers = new Set<string>();
    if (movedTo.size === 0 && fresh.every((i) => (i.event.payload.sender.identities?.length ?? 0) === 0)) {
      for (const identity of identities.values()) if (identity.created) newCustomers.add(identity.customerId);
    }

    // Sequence numbers: each conversation's counter moves by its messages in this batch, in order.
    const perCustomer = new Map<string, Item[]>();
    for (const item of fresh) {
      const list = perCustomer.get(item.customerId);
      if (list === undefined) perCustomer.set(item.customerId, [item]);
      else list.push(item);
    }
    const nowMicros = clockMicros(this.clock);
    const { byCustomer: advanced, opened } = await advanceConversations(
      tx,
      [...perCustomer.entries()].map(([customerId, list]) => {
        const last = list.at(-1)!;
        return {
          workspaceId: last.event.workspaceId,
          customerId,
          count: list.length,
          preview: lastMessagePreview(last.text),
          channel: last.event.payload.channel,
          channelAccountId: last.event.payload.channelAccountId,
          newCustomer: newCustomers.has(customerId),
        };
      }),
      nowMicros,
    );
    const pending = [...advanced.values()].filter((a) => a.conversation.status === 'pending');
    if (pending.length > 0) {
      // The customer answered: a conversation waiting on them is open again.
      await tx.query("UPDATE history.conversations SET status = 'open' WHERE id = ANY($1::uuid[])", [
        pending.map((a) => a.conversation.id),
      ]);
    }
    const indexInConversation = new Map<Item, number>();
    for (const list of perCustomer.values()) list.forEach((item, i) => indexInConversation.set(item, i));
    const planned = fresh.map((item) => {
      const { conversation, base, lockedAtMicros } = advanced.get(item.customerId)!;
      const index = indexInConversation.get(item)!;
      const p = item.event.payload;
      const sender: MessageSender = {
        type: 'customer',
        id: item.customerId,
        ...(p.sender.displayName !== undefined ? { name: p.sender.displayName } : {}),
      };
      // Timed from the clock once the conversation was locked, a microsecond apart: the timeline's
      // order is the sequence order, within this batch and after every batch that wrote to it before.
      const createdAtMicros = lockedAtMicros + BigInt(index);
      return {
        item,
        conversation,
        id: randomUUID(),
        sequence: base + index + 1,
        createdAtMicros,
        createdAt: new Date(Number(createdAtMicros / 1000n)).toISOString(),
        sender,
      };
    });

    for (const conversation of new Set(planned.map((m) => m.conversation))) {
      if (conversation.status !== 'pending') continue;
      const first = planned.find((m) => m.conversation === conversation)!;
      outbox.push(
        statusChangedEntry({
          workspaceId: first.item.event.workspaceId,
          conversationId: conversation.id,
          customerId: conversation.customerId,
          status: 'open',
          previousStatus: 'pending',
          changedBy: first.sender,
          changedAt: first.createdAt,
          correlationId: first.item.event.correlationId,
        }),
      );
    }
    for (const m of planned) {
      const p = m.item.event.payload;
      outbox.push(
        messageAppendedEntry({
          workspaceId: m.item.event.workspaceId,
          correlationId: m.item.event.correlationId,
          message: {
            conversationId: m.conversation.id,
            customerId: m.item.customerId,
            messageId: m.id,
            sequence: m.sequence,
            direction: 'in',
            channel: p.channel,
            channelAccountId: p.channelAccountId,
            text: m.item.text,
            attachments: p.attachments,
            sender: m.sender,
            createdAt: m.createdAt,
            openedConversation: m.conversation.opened && m.sequence === 1,
          },
          customerAttributes: m.conversation.customerAttributes,
          hints: p.hints,
        }),
      );
    }

    // The new customers' conversations, the messages and the outbox row in one statement (one round
    // trip; the messages' foreign keys are checked once it has run). A plain INSERT: duplicates
    // were filtered above, and a row a concurrent transaction slipped in since fails the unique
    // key, rolling the batch back for a retry that will see it (no gaps).
    await preparedRows(
      tx,
      'history.ingest.write',
      `WITH opened AS (${openedConversationsInsert(18)} RETURNING 1),
       inserted AS (
         INSERT INTO history.messages
           (id, workspace_id, event_id, direction, channel, channel_account_id, provider_message_id,
            sender_kind, sender_address, text, attachments, received_at, conversation_id, customer_id,
            sequence, sender, created_at)
         SELECT u.id, u.w, u.e, 'in', u.channel, u.account, u.provider_id, u.sender_kind, u.sender_address,
                u.text, u.attachments, u.received_at, u.conversation_id, u.customer_id, u.sequence, u.sender,
                'epoch'::timestamptz + u.created_us * interval '1 microsecond'
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::text[], $10::jsonb[], $11::timestamptz[], $12::uuid[], $13::uuid[],
                     $14::int[], $15::jsonb[], $16::bigint[])
           AS u(id, w, e, channel, account, provider_id, sender_kind, sender_address, text, attachments,
                received_at, conversation_id, customer_id, sequence, sender, created_us)
         RETURNING 1),
       queued AS (INSERT INTO history.outbox (entries) VALUES ($17::json) RETURNING 1)
       SELECT (SELECT count(*) FROM inserted)::int AS stored`,
      [
        planned.map((m) => m.id),
        planned.map((m) => m.item.event.workspaceId),
        planned.map((m) => m.item.event.id),
        planned.map((m) => m.item.event.payload.channel),
        planned.map((m) => m.item.event.payload.channelAccountId),
        planned.map((m) => m.item.event.payload.providerMessageId),
        planned.map((m) => m.item.event.payload.sender.kind),
        planned.map((m) => m.item.senderValue),
        planned.map((m) => m.item.text),
        planned.map((m) => JSON.stringify(m.item.event.payload.attachments)),
        planned.map((m) => m.item.event.payload.receivedAt),
        planned.map((m) => m.conversation.id),
        planned.map((m) => m.item.customerId),
        planned.map((m) => m.sequence),
        planned.map((m) => JSON.stringify(m.sender)),
        planned.map((m) => m.createdAtMicros.toString()),
        outboxJson(outbox),
        ...openedConversationsParameters(opened, nowMicros),
      ],
    ).catch((error: unknown) => {
      if (isUniqueViolation(error, 'messages_provider_id_unique'))
        throw new ConcurrentIngestError('some of the batch was stored by a concurrent transaction', {
          cause: error,
        });
      throw error;
    });
    return new Set(planned.map((m) => m.item.event));
  }
}
