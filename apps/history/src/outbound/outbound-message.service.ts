import { Injectable } from '@nestjs/common';
import {
  type Channel,
  decideWindow,
  describeTemplate,
  FailedPreconditionError,
  type IdentityKind,
  InvalidArgumentError,
  MessageDeliveryRequestedV1,
  NotFoundError,
  type SendMessageInput,
  type SendMessageResult,
} from '@switchboard/contracts';
import { routed } from '@switchboard/messaging';
import { Clock, InjectServiceDataSource, preparedRows } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { maskCardNumbersOrNull } from '../card-numbers/card-number-mask.util.js';
import { messageAppendedEntry, statusChangedEntry } from '../conversations/conversation-events.js';
import { type OpenConversation, openConversations } from '../conversations/open-conversations.operation.js';
import { lastMessagePreview } from '../conversations/conversation-view.js';
import { atMicros, clockMicros, type Db, firstRow, microsOf, nextMessageAt } from '../database/sql.util.js';
import { resolveIdentities } from '../identities/identity-resolver.js';
import { identityKey, normalizeRequestedIdentityValue } from '../identities/identity-value.util.js';
import { type OutboxEntry, outboxJson } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { parseSendMessageInput } from './send-message-input.schema.js';

/** Which identities can be written to on a channel, preferred first. */
const CHANNEL_IDENTITY_KINDS: Readonly<Record<Channel, readonly IdentityKind[]>> = {
  web: ['web_user', 'web_visitor'],
  sms: ['phone'],
  whatsapp: ['whatsapp', 'phone'],
  messenger: ['messenger'],
  instagram: ['instagram'],
  telegram: ['telegram'],
};

/** The idempotency key was used by a concurrent call that committed first. */
class KeyTakenConcurrently extends Error {}

/**
 * Everything a send decides on, read (and locked) in one statement: the message already stored
 * under the idempotency key; the customer (merges followed) locked FOR SHARE against erasure;
 * the conversation (the one named, else the customer's open one) locked FOR UPDATE, with the
 * message's time (the clock's, $8, or just after its last message) read once the lock is held;
 * and for a reply, where it goes. Each lookup is a probe of an
 * index (merge hops through `LATERAL … LIMIT 1`, never a join the planner could make a scan); the
 * route's are skipped for a note ($7). The last inbound sender is ordered by `created_at` alone:
 * with `id` too, the planner walked `messages_timeline` back past every reply sent since, not one
 * probe of `messages_inbound_channels`.
 *
 * Lock order is the one the statements it replaces took: a named conversation before its
 * customer, a customer before its open conversation. The locking CTEs are MATERIALIZED, so each
 * runs (and waits for its lock) when first read, after the one its condition reads; the time is
 * read from the locked row.
 *
 * The named conversation, the customer and the customer's identities are found by their keys
 * alone (`id`, `customer_id`), the workspace compared with `IS NOT DISTINCT FROM`, which no index serves: a
 * generic plan made while the tables had no statistics read the workspace's conversations through
 * `conversations_by_assignee` and its identities through `identities_by_value_prefix`, filtering
 * every one of them, on every reply (ADR 0143).
 */
export const LOOKUP = `
WITH RECURSIVE existing AS (
  SELECT id, conversation_id, customer_id, channel FROM history.messages
  WHERE workspace_id = $1 AND idempotency_key = $2),
named AS MATERIALIZED (
  SELECT id, customer_id, status, channel, channel_account_id, last_sequence, last_message_at
  FROM history.conversations
  WHERE id = $3::uuid AND workspace_id IS NOT DISTINCT FROM $1::uuid AND NOT EXISTS (SELECT 1 FROM existing)
  FOR UPDATE),
chain (id, merged_into, hops) AS (
  SELECT id, merged_into, 0 FROM history.customers
  WHERE id = $4::uuid AND workspace_id IS NOT DISTINCT FROM $1::uuid AND $3::uuid IS NULL
    AND NOT EXISTS (SELECT 1 FROM existing)
  UNION ALL
  SELECT c.id, c.merged_into, chain.hops + 1 FROM chain
  CROSS JOIN LATERAL (
    SELECT id, merged_into FROM history.customers
    WHERE id = chain.merged_into AND workspace_id IS NOT DISTINCT FROM $1::uuid LIMIT 1) AS c
  WHERE chain.hops < 9),
customer AS MATERIALIZED (
  SELECT id, erased_at FROM history.customers
  WHERE workspace_id IS NOT DISTINCT FROM $1::uuid
    AND id = CASE WHEN $3::uuid IS NULL
                  THEN (SELECT coalesce(merged_into, id) FROM chain ORDER BY hops DESC LIMIT 1)
                  ELSE (SELECT customer_id FROM named) END
  FOR SHARE),
open AS MATERIALIZED (
  SELECT id, customer_id, status, channel, channel_account_id, last_sequence, last_message_at
  FROM history.conversations
  WHERE customer_id = (SELECT id FROM customer WHERE erased_at IS NULL) AND status <> 'resolved'
    AND $3::uuid IS NULL
  FOR UPDATE),
conversation AS MATERIALIZED (
  SELECT *, ${microsOf(nextMessageAt('$8', 'c.last_message_at'))} AS locked_at
  FROM (SELECT * FROM named UNION ALL SELECT * FROM open) AS c),
route_channel AS (
  SELECT channel, ARRAY(SELECT jsonb_array_elements_text($6::jsonb -> channel)) AS kinds
  FROM (SELECT coalesce(
    $5::text,
    (SELECT channel FROM conversation),
    (SELECT m.channel FROM history.messages m
     WHERE m.workspace_id = $1 AND m.customer_id = (SELECT customer_id FROM conversation)
       AND m.direction = 'in' AND m.channel IS NOT NULL
     ORDER BY m.created_at DESC, m.id DESC LIMIT 1)) AS channel
    WHERE NOT $7::boolean AND EXISTS (SELECT 1 FROM conversation)) AS chosen),
last_inbound AS (
  SELECT m.sender_kind, m.sender_address, m.channel_account_id, m.received_at FROM history.messages m
  WHERE m.workspace_id = $1 AND m.customer_id = (SELECT customer_id FROM conversation)
    AND m.direction = 'in' AND m.channel = (SELECT channel FROM route_channel)
    AND m.sender_address IS NOT NULL
  ORDER BY m.created_at DESC LIMIT 1),
recipient AS (
  SELECT kind, address FROM (
    SELECT l.sender_kind AS kind, l.sender_address AS address, 0 AS preference FROM last_inbound l
    WHERE EXISTS (
      SELECT 1 FROM history.identities i
      WHERE i.workspace_id = $1 AND i.customer_id = (SELECT customer_id FROM conversation)
        AND i.kind = l.sender_kind AND i.value = l.sender_address)
    UNION ALL
    (SELECT i.kind, i.value, 1 FROM history.identities i, route_channel rc
     WHERE i.customer_id = (SELECT customer_id FROM conversation) AND i.workspace_id IS NOT DISTINCT FROM $1::uuid
       AND i.kind = ANY(rc.kinds)
     ORDER BY array_position(rc.kinds, i.kind), i.verified DESC, i.created_at DESC LIMIT 1)) AS r
  ORDER BY preference LIMIT 1)
SELECT
  e.id AS existing_id, e.conversation_id AS existing_conversation_id,
  e.customer_id AS existing_customer_id, e.channel AS existing_channel,
  cu.id AS customer_id, cu.erased_at,
  c.id AS conversation_id, c.customer_id AS conversation_customer_id, c.status, c.channel AS conversation_channel,
  c.channel_account_id AS conversation_channel_account_id, c.last_sequence, c.locked_at,
  (SELECT o.id FROM history.conversations o
   WHERE c.status = 'resolved' AND NOT $7::boolean AND o.customer_id = c.customer_id
     AND o.status <> 'resolved' AND o.id <> c.id LIMIT 1) AS other_open_id,
  rc.channel AS route_channel,
  l.channel_account_id AS last_inbound_account_id, l.received_at AS last_inbound_at,
  l.sender_address AS last_inbound_address,
  r.kind AS recipient_kind, r.address AS recipient_address,
  (SELECT i.opted_out FROM history.identities i
   WHERE i.workspace_id = $1 AND i.kind = r.kind AND i.value = r.address) AS opted_out
FROM (SELECT 1) AS one
LEFT JOIN existing e ON true
LEFT JOIN customer cu ON true
LEFT JOIN conversation c ON true
LEFT JOIN route_channel rc ON true
LEFT JOIN last_inbound l ON true
LEFT JOIN recipient r ON true`;

interface LookupRow {
  existing_id: string | null;
  existing_conversation_id: string | null;
  existing_customer_id: string | null;
  existing_channel: Channel | null;
  customer_id: string | null;
  erased_at: Date | null;
  conversation_id: string | null;
  conversation_customer_id: string | null;
  status: 'open' | 'pending' | 'resolved' | null;
  conversation_channel: Channel | null;
  conversation_channel_account_id: string | null;
  last_sequence: number | null;
  locked_at: string | null;
  other_open_id: string | null;
  route_channel: Channel | null;
  last_inbound_account_id: string | null;
  last_inbound_at: Date | null;
  last_inbound_address: string | null;
  recipient_kind: IdentityKind | null;
  recipient_address: string | null;
  opted_out: boolean | null;
}

/**
 * The conversation moved, the message stored and its events queued in one statement. The outbox
 * row is written only with the message: a key a concurrent send committed first inserts neither,
 * and the caller rolls back and answers with that send's message.
 */
const WRITE = `
WITH moved AS (
  UPDATE history.conversations
  SET last_sequence = last_sequence + 1,
      last_message_at = ${atMicros('$17')},
      last_message_preview = CASE WHEN $2::boolean THEN last_message_preview ELSE $3 END,
      first_response_at = CASE WHEN $2 THEN first_response_at
                               ELSE coalesce(first_response_at, ${atMicros('$17')}) END,
      waiting_since = CASE WHEN $2 THEN waiting_since ELSE NULL END,
      status = CASE WHEN $4::boolean THEN 'open' ELSE status END,
      resolved_at = CASE WHEN $4 THEN NULL ELSE resolved_at END,
      updated_at = clock_timestamp()
  WHERE id = $1::uuid
  RETURNING 1),
inserted AS (
  INSERT INTO history.messages
    (id, workspace_id, direction, channel, channel_account_id, text, attachments, received_at,
     conversation_id, customer_id, sequence, sender, idempotency_key, delivery_status, delivery_status_at,
     created_at)
  SELECT $5::uuid, $6::uuid, $7::text, $8::text, $9::text, $10::text, $11::jsonb, t.at, $1::uuid, $12::uuid,
         $13::int, $14::jsonb, $15::text, $16::text, CASE WHEN $16::text IS NULL THEN NULL ELSE t.at END, t.at
  FROM (SELECT 'epoch'::timestamptz + $17::bigint * interval '1 microsecond' AS at) AS t
  ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING 1),
queued AS (
  INSERT INTO history.outbox (entries) SELECT $18::json WHERE EXISTS (SELECT 1 FROM inserted)
  RETURNING 1)
SELECT (SELECT count(*) FROM inserted)::int AS inserted`;

/**
 * Replies, sends and notes from agents, integrators and bots. One transaction stores the message,
 * moves the conversation and writes the events (the message appended; for a reply, the delivery
 * request for the channel adapter) to the outbox: when `send` resolves, the message is durable
 * and its events will reach the log (ADR 0010). The client's idempotency key makes a retry the
 * same message.
 *
 * A send to a customer's open conversation is four round trips (BEGIN, one statement that reads
 * and locks everything the send decides on, one that writes it all, COMMIT), both statements
 * prepared once per connection: on a loaded machine a round trip, and planning these CTEs on every
 * call, cost far more than running them (ADR 0012). Sending to an identity, or opening a
 * conversation, adds the statements that create them.
 */
@Injectable()
export class OutboundMessageService {
  constructor(
    @InjectServiceDataSource('history') private readonly db: DataSource,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  async send(workspaceId: string, raw: SendMessageInput): Promise<SendMessageResult> {
    const input = parseSendMessageInput(raw);
    try {
      const result = await this.db.transaction((tx) => this.sendInTransaction(tx, workspaceId, input));
      if (result.created) this.relay.kick();
      return result;
    } catch (error) {
      if (!(error instanceof KeyTakenConcurrently)) throw error;
      return (await this.byIdempotencyKey(this.db, workspaceId, input.idempotencyKey))!;
    }
  }

  private async byIdempotencyKey(
    db: Db,
    workspaceId: string,
    key: string,
  ): Promise<SendMessageResult | undefined> {
    const row = await firstRow<{
      id: string;
      conversation_id: string;
      customer_id: string;
      channel: Channel | null;
    }>(
      db,
      `SELECT id, conversation_id, customer_id, channel FROM history.messages
       WHERE workspace_id = $1 AND idempotency_key = $2`,
      [workspaceId, key],
    );
    if (row === undefined) return undefined;
    return {
      messageId: row.id,
      conversationId: row.conversation_id,
      customerId: row.customer_id,
      channel: row.channel,
      created: false,
    };
  }

  private async sendInTransaction(
    tx: Db,
    workspaceId: string,
    input: SendMessageInput,
  ): Promise<SendMessageResult> {
    const note = input.internalNote === true;
    let customerId = input.customerId;
    if (input.conversationId === undefined && customerId === undefined) {
      // Resolving an identity may create a customer: a retry must find its message before that.
      const previous = await this.byIdempotencyKey(tx, workspaceId, input.idempotencyKey);
      if (previous !== undefined) return previous;
      const { kind, value } = input.identity!;
      const normalized = normalizeRequestedIdentityValue(kind, value, 'identity.value');
      const found = await resolveIdentities(tx, [{ workspaceId, kind, value: normalized, verified: false }]);
      customerId = found.get(identityKey(workspaceId, kind, normalized))!.customerId;
    }

    let row = await this.lookup(tx, workspaceId, input, customerId ?? null, note);
    if (row.existing_id !== null) {
      return {
        messageId: row.existing_id,
        conversationId: row.existing_conversation_id!,
        customerId: row.existing_customer_id!,
        channel: row.existing_channel,
        created: false,
      };
    }
    if (input.conversationId !== undefined) {
      if (row.conversation_id === null) throw new NotFoundError(`conversation ${input.conversationId}`);
      if (input.customerId !== undefined && input.customerId !== row.conversation_customer_id)
        throw new InvalidArgumentError('the conversation belongs to another customer', [
          { field: 'customerId', description: 'does not match the conversation' },
        ]);
    }
    if (row.customer_id === null)
      throw new NotFoundError(`customer ${customerId ?? row.conversation_customer_id}`);
    if (row.erased_at !== null)
      throw new FailedPreconditionError(`customer ${row.customer_id} has been erased`);

    let opened: OpenConversation | undefined;
    if (row.conversation_id === null) {
      // The customer has no open conversation: open one (locked), and read again around it.
      opened = (
        await openConversations(tx, [{ workspaceId, customerId: row.customer_id }], clockMicros(this.clock))
      ).get(row.customer_id)!;
      row = await this.lookup(tx, workspaceId, input, row.customer_id, note);
    }
    const conversationId = row.conversation_id!;
    const targetCustomerId = row.conversation_customer_id!;

    const reopen = row.status === 'resolved' && !note;
    if (reopen && row.other_open_id !== null)
      throw new FailedPreconditionError(
        `conversation ${conversationId} is resolved and the customer has another open conversation (${row.other_open_id})`,
      );
    const delivery = note ? undefined : this.route(row, input);
    if (input.form !== undefined && delivery?.channel !== 'web')
      throw new FailedPreconditionError(
        'secure forms are shown by the web widget only; the reply goes elsewhere',
      );

    // A template's own text is what agents see of it: Meta sends the approved body, not ours.
    const text = maskCardNumbersOrNull(
      input.template !== undefined && (input.text ?? '').trim() === ''
        ? describeTemplate(input.template)
        : input.text,
    );
    const sequence = row.last_sequence! + 1;
    // Timed once the conversation's row was locked: every earlier message of it has committed by
    // then, so the timeline's order is the sequence order (as on the inbound path; ADR 0120).
    const createdAtMicros = BigInt(row.locked_at!);
    const createdAt = new Date(Number(createdAtMicros / 1000n)).toISOString();
    const messageId = randomUUID();
    const outbox: OutboxEntry[] = [];
    if (reopen) {
      outbox.push(
        statusChangedEntry({
          workspaceId,
          conversationId,
          customerId: targetCustomerId,
          status: 'open',
          previousStatus: 'resolved',
          changedBy: input.sender,
          changedAt: createdAt,
        }),
      );
    }
    outbox.push(
      messageAppendedEntry({
        workspaceId,
        message: {
          conversationId,
          customerId: targetCustomerId,
          messageId,
          sequence,
          direction: note ? 'note' : 'out',
          channel: delivery?.channel ?? null,
          channelAccountId: delivery?.channelAccountId ?? null,
          text,
          attachments: input.attachments ?? [],
          sender: input.sender,
          createdAt,
          openedConversation: opened?.opened === true && sequence === 1,
        },
        customerAttributes: opened?.customerAttributes,
      }),
    );
    if (delivery !== undefined) {
      outbox.push(
        routed(
          MessageDeliveryRequestedV1.create({
            workspaceId,
            payload: {
              messageId,
              conversationId,
              customerId: targetCustomerId,
              channel: delivery.channel,
              channelAccountId: delivery.channelAccountId,
              recipient: delivery.recipient,
              text,
              attachments: input.attachments ?? [],
              ...(input.template !== undefined ? { template: input.template } : {}),
              sender: input.sender,
              ...(input.form !== undefined ? { form: input.form } : {}),
              ...(delivery.lastInbound !== undefined ? { lastInbound: delivery.lastInbound } : {}),
              requestedAt: createdAt,
            },
          }),
        ),
      );
    }

    const [written] = await preparedRows<{ inserted: number }>(tx, 'history.send.write', WRITE, [
      conversationId,
      note,
      lastMessagePreview(text ?? null),
      reopen,
      messageId,
      workspaceId,
      note ? 'note' : 'out',
      delivery?.channel ?? null,
      delivery?.channelAccountId ?? null,
      text,
      JSON.stringify(input.attachments ?? []),
      targetCustomerId,
      sequence,
      JSON.stringify(input.sender),
      input.idempotencyKey,
      note ? null : 'pending',
      createdAtMicros.toString(),
      outboxJson(outbox),
    ]);
    if (written!.inserted === 0) throw new KeyTakenConcurrently();
    return {
      messageId,
      conversationId,
      customerId: targetCustomerId,
      channel: delivery?.channel ?? null,
      created: true,
    };
  }

  private async lookup(
    tx: Db,
    workspaceId: string,
    input: SendMessageInput,
    customerId: string | null,
    note: boolean,
  ): Promise<LookupRow> {
    const [row] = await preparedRows<LookupRow>(tx, 'history.send.lookup', LOOKUP, [
      workspaceId,
      input.idempotencyKey,
      input.conversationId ?? null,
      customerId,
      input.channel ?? null,
      JSON.stringify(CHANNEL_IDENTITY_KINDS),
      note,
      clockMicros(this.clock),
    ]);
    return row!;
  }

  /**
   * Where a reply goes: the channel named, else the conversation's, else the one the customer last
   * wrote from; to the address they last wrote from on it while it is still theirs (else their
   * identity for that channel), through the account they wrote to. An opted-out address is
   * refused here, before anything reaches a provider.
   */
  private route(
    row: LookupRow,
    input: SendMessageInput,
  ): {
    channel: Channel;
    channelAccountId: string | null;
    recipient: { kind: IdentityKind; address: string };
    lastInbound?: { channelAccountId: string | null; address: string; at: string };
  } {
    const channel = row.route_channel;
    if (channel === null)
      throw new FailedPreconditionError(
        'the customer has never written on a channel: name the channel to use',
      );
    if (row.recipient_kind === null || row.recipient_address === null)
      throw new FailedPreconditionError(`the customer has no address on ${channel}`);
    const recipient = { kind: row.recipient_kind, address: row.recipient_address };
    if (row.opted_out === true)
      throw new FailedPreconditionError(`${recipient.address} has opted out of messages on ${channel}`);
    if (input.template !== undefined && channel !== 'whatsapp')
      throw new FailedPreconditionError(`templates are WhatsApp's; this reply goes on ${channel}`);
    refuseOutsideWindow(channel, row.last_inbound_at, input);
    const channelAccountId =
      input.channelAccountId ??
      (row.conversation_channel === channel ? row.conversation_channel_account_id : null) ??
      row.last_inbound_account_id ??
      null;
    // The window as this check saw it, for the channel's own check at delivery (ADR 0126).
    const lastInbound =
      row.last_inbound_at === null || row.last_inbound_address === null
        ? undefined
        : {
            channelAccountId: row.last_inbound_account_id,
            address: row.last_inbound_address,
            at: new Date(row.last_inbound_at).toISOString(),
          };
    // Null: the channel's adapter sends from the workspace's default account for the channel.
    return { channel, channelAccountId, recipient, ...(lastInbound === undefined ? {} : { lastInbound }) };
  }
}

/**
 * The provider's messaging window, checked before a reply is accepted so the caller hears why at
 * once (gRPC FAILED_PRECONDITION, the inbox's error) rather than as a failed delivery later: from
 * when the customer last wrote on the channel, by the rule channel-social enforces again at
 * delivery. History does not know whether a page is approved for Messenger's HUMAN_AGENT tag, so
 * it refuses only what no page may send (past 7 days); channel-social decides the days between.
 */
function refuseOutsideWindow(channel: Channel, lastInboundAt: Date | null, input: SendMessageInput): void {
  if (channel !== 'whatsapp' && channel !== 'messenger' && channel !== 'instagram') return;
  const window = decideWindow(channel, lastInboundAt, new Date(), { humanAgentTag: true });
  if (window.kind === 'closed') throw new FailedPreconditionError(window.message);
  if (window.kind === 'template_only' && input.template === undefined)
    throw new FailedPreconditionError(
      lastInboundAt === null
        ? 'The customer has not written on WhatsApp: only an approved template can be sent.'
        : 'The customer last wrote more than 24 hours ago: WhatsApp allows only an approved template until they write again.',
    );
}
