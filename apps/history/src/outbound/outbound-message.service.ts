import { Injectable } from '@nestjs/common';
import {
  type Channel,
  ConversationMessageAppendedV1,
  FailedPreconditionError,
  type IdentityKind,
  InvalidArgumentError,
  MessageDeliveryRequestedV1,
  NotFoundError,
  type SendMessageInput,
  type SendMessageResult,
  Topics,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { maskCardNumbersOrNull } from '../card-numbers/card-number-mask.util.js';
import { statusChangedEntry } from '../conversations/conversation-events.js';
import { type OpenConversation, openConversations } from '../conversations/open-conversations.operation.js';
import { type Db, firstRow, isoRequired, rows } from '../database/sql.util.js';
import { resolveIdentities } from '../identities/identity-resolver.js';
import { identityKey, normalizeRequestedIdentityValue } from '../identities/identity-value.util.js';
import { type OutboxEntry, appendToOutbox } from '../outbox/outbox.js';
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

interface Target {
  customerId: string;
  conversation: {
    id: string;
    status: 'open' | 'pending' | 'resolved';
    channel: Channel | null;
    channelAccountId: string | null;
    opened: boolean;
    customerAttributes?: Record<string, string>;
  };
}

/**
 * Replies, sends and notes from agents, integrators and bots. One transaction stores the message,
 * moves the conversation and writes the events (the message appended; for a reply, the delivery
 * request for the channel adapter) to the outbox: when `send` resolves, the message is durable
 * and its events will reach the log (ADR 0010). The client's idempotency key makes a retry the
 * same message.
 */
@Injectable()
export class OutboundMessageService {
  constructor(
    @InjectServiceDataSource('history') private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  async send(workspaceId: string, raw: SendMessageInput): Promise<SendMessageResult> {
    const input = parseSendMessageInput(raw);
    const previous = await this.byIdempotencyKey(workspaceId, input.idempotencyKey);
    if (previous !== undefined) return previous;
    try {
      const result = await this.db.transaction((tx) => this.sendInTransaction(tx, workspaceId, input));
      this.relay.kick();
      return result;
    } catch (error) {
      if (!(error instanceof KeyTakenConcurrently)) throw error;
      return (await this.byIdempotencyKey(workspaceId, input.idempotencyKey))!;
    }
  }

  private async byIdempotencyKey(workspaceId: string, key: string): Promise<SendMessageResult | undefined> {
    const row = await firstRow<{
      id: string;
      conversation_id: string;
      customer_id: string;
      channel: Channel | null;
    }>(
      this.db,
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
    const target = await this.target(tx, workspaceId, input);
    const outbox: OutboxEntry[] = [];
    let reopen = false;
    if (target.conversation.status === 'resolved' && !note) {
      const other = await firstRow<{ id: string }>(
        tx,
        `SELECT id FROM history.conversations WHERE customer_id = $1 AND status <> 'resolved' AND id <> $2`,
        [target.customerId, target.conversation.id],
      );
      if (other !== undefined)
        throw new FailedPreconditionError(
          `conversation ${target.conversation.id} is resolved and the customer has another open conversation (${other.id})`,
        );
      reopen = true;
    }

    let delivery:
      | {
          channel: Channel;
          channelAccountId: string | null;
          recipient: { kind: IdentityKind; address: string };
        }
      | undefined;
    if (!note) delivery = await this.route(tx, workspaceId, target, input);

    const text = maskCardNumbersOrNull(input.text);
    const [conv] = await rows<{ sequence: number }>(
      tx,
      `UPDATE history.conversations
       SET last_sequence = last_sequence + 1,
           last_message_at = clock_timestamp(),
           last_message_preview = CASE WHEN $2 THEN last_message_preview ELSE $3 END,
           first_response_at = CASE WHEN $2 THEN first_response_at
                                    ELSE coalesce(first_response_at, clock_timestamp()) END,
           waiting_since = CASE WHEN $2 THEN waiting_since ELSE NULL END,
           status = CASE WHEN $4 THEN 'open' ELSE status END,
           resolved_at = CASE WHEN $4 THEN NULL ELSE resolved_at END,
           updated_at = clock_timestamp()
       WHERE id = $1 RETURNING last_sequence AS sequence`,
      [target.conversation.id, note, text?.slice(0, 200) ?? null, reopen],
    );
    const messageId = randomUUID();
    const inserted = await rows<{ created_at: Date }>(
      tx,
      `INSERT INTO history.messages
         (id, workspace_id, direction, channel, channel_account_id, text, attachments, received_at,
          conversation_id, customer_id, sequence, sender, idempotency_key, delivery_status, delivery_status_at,
          created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp(), $8, $9, $10, $11, $12, $13,
               CASE WHEN $13::text IS NULL THEN NULL ELSE clock_timestamp() END, clock_timestamp())
       ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING created_at`,
      [
        messageId,
        workspaceId,
        note ? 'note' : 'out',
        delivery?.channel ?? null,
        delivery?.channelAccountId ?? null,
        text,
        JSON.stringify(input.attachments ?? []),
        target.conversation.id,
        target.customerId,
        conv!.sequence,
        JSON.stringify(input.sender),
        input.idempotencyKey,
        note ? null : 'pending',
      ],
    );
    if (inserted[0] === undefined) throw new KeyTakenConcurrently();
    const createdAt = isoRequired(inserted[0].created_at);

    if (reopen) {
      outbox.push(
        statusChangedEntry({
          workspaceId,
          conversationId: target.conversation.id,
          customerId: target.customerId,
          status: 'open',
          previousStatus: 'resolved',
          changedBy: input.sender,
          changedAt: createdAt,
        }),
      );
    }
    const opens = target.conversation.opened && conv!.sequence === 1;
    outbox.push({
      topic: Topics.conversations,
      key: workspaceId,
      event: ConversationMessageAppendedV1.create({
        workspaceId,
        payload: {
          conversationId: target.conversation.id,
          customerId: target.customerId,
          messageId,
          sequence: conv!.sequence,
          direction: note ? 'note' : 'out',
          channel: delivery?.channel ?? null,
          channelAccountId: delivery?.channelAccountId ?? null,
          text,
          attachments: input.attachments ?? [],
          sender: input.sender,
          createdAt,
          openedConversation: opens,
          ...(opens ? { customerAttributes: target.conversation.customerAttributes ?? {} } : {}),
        },
      }),
    });
    if (delivery !== undefined) {
      outbox.push({
        topic: Topics.deliveries,
        key: workspaceId,
        event: MessageDeliveryRequestedV1.create({
          workspaceId,
          payload: {
            messageId,
            conversationId: target.conversation.id,
            customerId: target.customerId,
            channel: delivery.channel,
            channelAccountId: delivery.channelAccountId,
            recipient: delivery.recipient,
            text,
            attachments: input.attachments ?? [],
            sender: input.sender,
            requestedAt: createdAt,
          },
        }),
      });
    }
    await appendToOutbox(tx, outbox);
    return {
      messageId,
      conversationId: target.conversation.id,
      customerId: target.customerId,
      channel: delivery?.channel ?? null,
      created: true,
    };
  }

  /** The conversation to write in: the one named, else the customer's open one (opened if none). */
  private async target(tx: Db, workspaceId: string, input: SendMessageInput): Promise<Target> {
    if (input.conversationId !== undefined) {
      const row = await firstRow<{
        id: string;
        customer_id: string;
        status: 'open' | 'pending' | 'resolved';
        channel: Channel | null;
        channel_account_id: string | null;
      }>(
        tx,
        `SELECT id, customer_id, status, channel, channel_account_id FROM history.conversations
         WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
        [workspaceId, input.conversationId],
      );
      if (row === undefined) throw new NotFoundError(`conversation ${input.conversationId}`);
      if (input.customerId !== undefined && input.customerId !== row.customer_id)
        throw new InvalidArgumentError('the conversation belongs to another customer', [
          { field: 'customerId', description: 'does not match the conversation' },
        ]);
      await this.assertCustomerWritable(tx, workspaceId, row.customer_id);
      return {
        customerId: row.customer_id,
        conversation: {
          id: row.id,
          status: row.status,
          channel: row.channel,
          channelAccountId: row.channel_account_id,
          opened: false,
        },
      };
    }
    let customerId: string;
    if (input.customerId !== undefined) {
      customerId = await this.followMerges(tx, workspaceId, input.customerId);
    } else {
      const { kind, value } = input.identity!;
      const normalized = normalizeRequestedIdentityValue(kind, value, 'identity.value');
      const found = await resolveIdentities(tx, [{ workspaceId, kind, value: normalized, verified: false }]);
      customerId = found.get(identityKey(workspaceId, kind, normalized))!.customerId;
      await tx.query('INSERT INTO history.workspaces (id) VALUES ($1) ON CONFLICT DO NOTHING', [workspaceId]);
    }
    await this.assertCustomerWritable(tx, workspaceId, customerId);
    const open: OpenConversation = (await openConversations(tx, [{ workspaceId, customerId }])).get(
      customerId,
    )!;
    const details = await firstRow<{ channel: Channel | null; channel_account_id: string | null }>(
      tx,
      'SELECT channel, channel_account_id FROM history.conversations WHERE id = $1',
      [open.id],
    );
    return {
      customerId,
      conversation: {
        id: open.id,
        status: open.status,
        channel: details?.channel ?? null,
        channelAccountId: details?.channel_account_id ?? null,
        opened: open.opened,
        ...(open.customerAttributes !== undefined ? { customerAttributes: open.customerAttributes } : {}),
      },
    };
  }

  /** An id from before a merge still reaches the customer: it leads to the one merged into. */
  private async followMerges(tx: Db, workspaceId: string, customerId: string): Promise<string> {
    let current = customerId;
    for (let hops = 0; hops < 10; hops++) {
      const row = await firstRow<{ merged_into: string | null }>(
        tx,
        'SELECT merged_into FROM history.customers WHERE workspace_id = $1 AND id = $2',
        [workspaceId, current],
      );
      if (row === undefined) throw new NotFoundError(`customer ${customerId}`);
      if (row.merged_into === null) return current;
      current = row.merged_into;
    }
    return current;
  }

  private async assertCustomerWritable(tx: Db, workspaceId: string, customerId: string): Promise<void> {
    const row = await firstRow<{ erased_at: Date | null }>(
      tx,
      'SELECT erased_at FROM history.customers WHERE workspace_id = $1 AND id = $2 FOR SHARE',
      [workspaceId, customerId],
    );
    if (row === undefined) throw new NotFoundError(`customer ${customerId}`);
    if (row.erased_at !== null) throw new FailedPreconditionError(`customer ${customerId} has been erased`);
  }

  /**
   * Where a reply goes: the channel named, else the one the customer last wrote from; to the
   * address they wrote from on it (else their identity for that channel), through the account
   * they wrote to. An opted-out address is refused here, before anything reaches a provider.
   */
  private async route(
    tx: Db,
    workspaceId: string,
    target: Target,
    input: SendMessageInput,
  ): Promise<{
    channel: Channel;
    channelAccountId: string | null;
    recipient: { kind: IdentityKind; address: string };
  }> {
    let channel = input.channel ?? target.conversation.channel ?? null;
    if (channel === null) {
      const last = await firstRow<{ channel: Channel }>(
        tx,
        `SELECT channel FROM history.messages
         WHERE workspace_id = $1 AND customer_id = $2 AND direction = 'in' AND channel IS NOT NULL
         ORDER BY created_at DESC, id DESC LIMIT 1`,
        [workspaceId, target.customerId],
      );
      channel = last?.channel ?? null;
    }
    if (channel === null)
      throw new FailedPreconditionError(
        'the customer has never written on a channel: name the channel to use',
      );

    const lastInbound = await firstRow<{
      sender_kind: IdentityKind;
      sender_address: string;
      channel_account_id: string;
    }>(
      tx,
      `SELECT sender_kind, sender_address, channel_account_id FROM history.messages
       WHERE workspace_id = $1 AND customer_id = $2 AND direction = 'in' AND channel = $3
         AND sender_address IS NOT NULL
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [workspaceId, target.customerId, channel],
    );
    let recipient: { kind: IdentityKind; address: string } | undefined;
    if (lastInbound !== undefined) {
      const stillTheirs = await firstRow<{ id: string }>(
        tx,
        'SELECT id FROM history.identities WHERE workspace_id = $1 AND customer_id = $2 AND kind = $3 AND value = $4',
        [workspaceId, target.customerId, lastInbound.sender_kind, lastInbound.sender_address],
      );
      if (stillTheirs !== undefined)
        recipient = { kind: lastInbound.sender_kind, address: lastInbound.sender_address };
    }
    if (recipient === undefined) {
      const kinds = CHANNEL_IDENTITY_KINDS[channel];
      const identity = await firstRow<{ kind: IdentityKind; value: string }>(
        tx,
        `SELECT kind, value FROM history.identities WHERE workspace_id = $1 AND customer_id = $2 AND kind = ANY($3::text[])
         ORDER BY array_position($3::text[], kind), verified DESC, created_at DESC LIMIT 1`,
        [workspaceId, target.customerId, kinds],
      );
      if (identity !== undefined) recipient = { kind: identity.kind, address: identity.value };
    }
    if (recipient === undefined)
      throw new FailedPreconditionError(`the customer has no address on ${channel}`);

    const optedOut = await firstRow<{ opted_out: boolean }>(
      tx,
      'SELECT opted_out FROM history.identities WHERE workspace_id = $1 AND kind = $2 AND value = $3',
      [workspaceId, recipient.kind, recipient.address],
    );
    if (optedOut?.opted_out === true)
      throw new FailedPreconditionError(`${recipient.address} has opted out of messages on ${channel}`);

    const channelAccountId =
      input.channelAccountId ??
      (target.conversation.channel === channel ? target.conversation.channelAccountId : null) ??
      lastInbound?.channel_account_id ??
      null;
    // Null: the channel's adapter sends from the workspace's default account for the channel.
    return { channel, channelAccountId, recipient };
  }
}
