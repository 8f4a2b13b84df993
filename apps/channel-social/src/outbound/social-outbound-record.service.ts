import { Injectable } from '@nestjs/common';
import { DELIVERY_STATUS_RANK, type DeliveryStatus } from '@switchboard/contracts';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import type { SocialAccount } from '../accounts/social-account.js';

export interface SocialOutboundRecord {
  readonly providerMessageId: string | null;
  readonly status: DeliveryStatus;
}

/**
 * What the social channels sent, per (workspace, message): the send's idempotency (a redelivered
 * request is not sent twice), our id by the provider's (Meta's receipts name only theirs), and the
 * status's high-water mark (receipts arrive late and repeated).
 */
@Injectable()
export class SocialOutboundRecordService {
  constructor(@InjectServiceDataSource('channels_social') private readonly db: DataSource) {}

  /** Claims a message for sending; the existing record when it was claimed before (a redelivery). */
  async claim(
    account: SocialAccount,
    messageId: string,
    recipient: string,
  ): Promise<SocialOutboundRecord | null> {
    const inserted = await queryRows<unknown>(
      this.db,
      `INSERT INTO channels.social_outbound_messages
         (workspace_id, message_id, channel_account_id, channel, recipient, status, status_rank)
       VALUES ($1, $2, $3, $4, $5, 'pending', 0)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [account.workspaceId, messageId, account.id, account.channel, recipient],
    );
    if (inserted.length > 0) return null;
    const rows = await queryRows<{ provider_message_id: string | null; status: DeliveryStatus }>(
      this.db,
      `SELECT provider_message_id, status FROM channels.social_outbound_messages
       WHERE workspace_id = $1 AND message_id = $2`,
      [account.workspaceId, messageId],
    );
    return rows[0] ? { providerMessageId: rows[0].provider_message_id, status: rows[0].status } : null;
  }

  /** Records the outcome of our own send. */
  async sent(
    account: SocialAccount,
    messageId: string,
    status: DeliveryStatus,
    providerMessageId: string | null,
    errorCode: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE channels.social_outbound_messages
       SET status = $3, status_rank = $4, provider_message_id = COALESCE($5, provider_message_id),
           error_code = $6, updated_at = now()
       WHERE workspace_id = $1 AND message_id = $2`,
      [account.workspaceId, messageId, status, DELIVERY_STATUS_RANK[status], providerMessageId, errorCode],
    );
  }

  /** Our message id if a receipt with `status` would move the message forward, else null. */
  async wouldAdvance(
    account: SocialAccount,
    providerMessageId: string,
    status: DeliveryStatus,
  ): Promise<{ messageId: string } | null> {
    const rows = await queryRows<{ message_id: string }>(
      this.db,
      `SELECT message_id FROM channels.social_outbound_messages
       WHERE channel_account_id = $1 AND provider_message_id = $2 AND status_rank < $3`,
      [account.id, providerMessageId, DELIVERY_STATUS_RANK[status]],
    );
    return rows[0] ? { messageId: rows[0].message_id } : null;
  }

  /**
   * Our messages to `recipient` sent by `upTo` that `status` moves forward (a watermark: Messenger's
   * read). Compared with when we claimed the message, which precedes Meta's own send time, so a
   * message sent before the watermark is never missed. At most `limit`, oldest first.
   */
  async upTo(
    account: SocialAccount,
    recipient: string,
    upTo: string,
    status: DeliveryStatus,
    limit = 500,
  ): Promise<{ messageId: string; providerMessageId: string }[]> {
    const rows = await queryRows<{ message_id: string; provider_message_id: string }>(
      this.db,
      `SELECT message_id, provider_message_id FROM channels.social_outbound_messages
       WHERE channel_account_id = $1 AND recipient = $2 AND created_at <= $3
         AND provider_message_id IS NOT NULL AND status_rank < $4
       ORDER BY created_at LIMIT $5`,
      [account.id, recipient, upTo, DELIVERY_STATUS_RANK[status], limit],
    );
    return rows.map((r) => ({ messageId: r.message_id, providerMessageId: r.provider_message_id }));
  }

  async advance(
    account: SocialAccount,
    providerMessageId: string,
    status: DeliveryStatus,
    errorCode: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE channels.social_outbound_messages
       SET status = $3, status_rank = $4, error_code = COALESCE($5, error_code), updated_at = now()
       WHERE channel_account_id = $1 AND provider_message_id = $2 AND status_rank < $4`,
      [account.id, providerMessageId, status, DELIVERY_STATUS_RANK[status], errorCode],
    );
  }
}
