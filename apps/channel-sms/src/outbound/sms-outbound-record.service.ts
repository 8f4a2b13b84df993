import { Injectable } from '@nestjs/common';
import type { DeliveryStatus } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { STATUS_RANK } from './sms-delivery-status.util.js';

export interface OutboundRecord {
  readonly providerMessageId: string | null;
  readonly status: DeliveryStatus;
  /** When the message was first handed to Twilio (null: never), by the database's clock. */
  readonly sendAttemptedAt: Date | null;
}

/** What this channel sent, per (workspace, message): the send's idempotency and the status's high-water mark. */
@Injectable()
export class SmsOutboundRecordService {
  constructor(@InjectServiceDataSource('channels') private readonly db: DataSource) {}

  /** Claims a message for sending; the existing record when it was claimed before (a redelivery). */
  async claim(
    workspaceId: string,
    messageId: string,
    channelAccountId: string,
    recipient: string,
  ): Promise<OutboundRecord | null> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO channels.sms_outbound_messages
         (workspace_id, message_id, channel_account_id, recipient, status, status_rank)
       VALUES ($1, $2, $3, $4, 'pending', 0)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [workspaceId, messageId, channelAccountId, recipient],
    );
    if (inserted.length > 0) return null;
    return this.find(workspaceId, messageId);
  }

  async find(workspaceId: string, messageId: string): Promise<OutboundRecord | null> {
    const rows: {
      provider_message_id: string | null;
      status: DeliveryStatus;
      send_attempted_at: Date | null;
    }[] = await this.db.query(
      `SELECT provider_message_id, status, send_attempted_at FROM channels.sms_outbound_messages
       WHERE workspace_id = $1 AND message_id = $2`,
      [workspaceId, messageId],
    );
    const row = rows[0];
    return row
      ? {
          providerMessageId: row.provider_message_id,
          status: row.status,
          sendAttemptedAt: row.send_attempted_at,
        }
      : null;
  }

  /**
   * Records, before Twilio is called, that the message is about to be handed to it: the first
   * attempt's time is kept, and returned. Twilio takes no idempotency key, so this is how a later
   * delivery knows it must look the message up at Twilio before sending it again (ADR 0093).
   */
  async markAttempt(workspaceId: string, messageId: string): Promise<Date> {
    const rows: { send_attempted_at: Date }[] = await this.db.query(
      `UPDATE channels.sms_outbound_messages
       SET send_attempted_at = coalesce(send_attempted_at, now()), updated_at = now()
       WHERE workspace_id = $1 AND message_id = $2
       RETURNING send_attempted_at`,
      [workspaceId, messageId],
    );
    if (rows[0] === undefined) throw new Error(`no claim for message ${messageId}`);
    return rows[0].send_attempted_at;
  }

  /** Which of these Twilio SIDs already belong to a message of ours in the workspace. */
  async claimedSids(workspaceId: string, sids: readonly string[]): Promise<Set<string>> {
    if (sids.length === 0) return new Set();
    const rows: { provider_message_id: string }[] = await this.db.query(
      `SELECT provider_message_id FROM channels.sms_outbound_messages
       WHERE workspace_id = $1 AND provider_message_id = ANY($2::text[])`,
      [workspaceId, sids],
    );
    return new Set(rows.map((r) => r.provider_message_id));
  }

  /** Whether `status` would move the message further than it got (false for an unknown message: nothing to compare). */
  async wouldAdvance(workspaceId: string, messageId: string, status: DeliveryStatus): Promise<boolean> {
    const rows: { status_rank: number }[] = await this.db.query(
      'SELECT status_rank FROM channels.sms_outbound_messages WHERE workspace_id = $1 AND message_id = $2',
      [workspaceId, messageId],
    );
    return rows[0] === undefined || rows[0].status_rank < STATUS_RANK[status];
  }

  /**
   * Moves the message to `status` if that is further than it got. The provider id is kept
   * whichever way (a status callback may have beaten the create response).
   */
  async advance(
    workspaceId: string,
    messageId: string,
    status: DeliveryStatus,
    providerMessageId: string | null,
    errorCode: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE channels.sms_outbound_messages
       SET provider_message_id = coalesce(provider_message_id, $5),
           status = CASE WHEN status_rank < $4 THEN $3 ELSE status END,
           error_code = CASE WHEN status_rank < $4 THEN $6 ELSE error_code END,
           status_rank = greatest(status_rank, $4),
           updated_at = now()
       WHERE workspace_id = $1 AND message_id = $2`,
      [workspaceId, messageId, status, STATUS_RANK[status], providerMessageId, errorCode],
    );
  }
}
