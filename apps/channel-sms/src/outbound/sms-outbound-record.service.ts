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

/** What claiming a reply found: the recipient opted out (nothing claimed), or the claim. */
export type Claim =
  | { readonly optedOut: true }
  | {
      readonly optedOut: false;
      /** The record an earlier delivery of this message claimed (a redelivery); null when this one claimed it. */
      readonly previous: OutboundRecord | null;
      /** This claim's first attempt, stamped with it (`attempting`); null otherwise. */
      readonly attemptedAt: Date | null;
    };

/** What this channel sent, per (workspace, message): the send's idempotency and the status's high-water mark. */
@Injectable()
export class SmsOutboundRecordService {
  constructor(@InjectServiceDataSource('channels') private readonly db: DataSource) {}

  /**
   * Claims a message for sending, in one statement (ADR 0155): unless the recipient opted out
   * (channels.sms_opt_outs, as `SmsOptOutService` keeps it), then nothing is claimed; else the
   * existing record when the message was claimed before (a redelivery). `attempting`: Twilio is
   * called right after, so the claim is stamped as the first attempt (`markAttempt`'s column),
   * durable before Twilio is called as ADR 0093 asks, without a statement of its own.
   */
  async claim(
    workspaceId: string,
    messageId: string,
    channelAccountId: string,
    recipient: string,
    attempting: boolean,
  ): Promise<Claim> {
    // The outer SELECT reads the statement's snapshot: it sees a record claimed before, never the
    // one `claimed` inserts. A record a concurrent delivery committed while this insert waited on
    // it is in neither: read again below.
    const rows: {
      opted_out: boolean;
      claimed: boolean;
      attempted_at: Date | null;
      provider_message_id: string | null;
      status: DeliveryStatus | null;
      send_attempted_at: Date | null;
    }[] = await this.db.query(
      `WITH opted AS (
         SELECT coalesce(
           (SELECT opted_out FROM channels.sms_opt_outs WHERE workspace_id = $1 AND phone_number = $4), false
         ) AS out
       ), claimed AS (
         INSERT INTO channels.sms_outbound_messages
           (workspace_id, message_id, channel_account_id, recipient, status, status_rank, send_attempted_at)
         SELECT $1, $2, $3, $4, 'pending', 0, CASE WHEN $5::boolean THEN now() END FROM opted WHERE NOT opted.out
         ON CONFLICT DO NOTHING
         RETURNING send_attempted_at
       )
       SELECT opted.out AS opted_out, EXISTS (SELECT FROM claimed) AS claimed,
              (SELECT send_attempted_at FROM claimed) AS attempted_at,
              m.provider_message_id, m.status, m.send_attempted_at
       FROM opted LEFT JOIN channels.sms_outbound_messages m ON m.workspace_id = $1 AND m.message_id = $2`,
      [workspaceId, messageId, channelAccountId, recipient, attempting],
    );
    const row = rows[0]!;
    if (row.opted_out) return { optedOut: true };
    if (row.claimed) return { optedOut: false, previous: null, attemptedAt: row.attempted_at };
    const previous =
      row.status === null
        ? await this.find(workspaceId, messageId)
        : {
            providerMessageId: row.provider_message_id,
            status: row.status,
            sendAttemptedAt: row.send_attempted_at,
          };
    if (previous === null) throw new Error(`message ${messageId} neither claimed nor found`);
    return { optedOut: false, previous, attemptedAt: null };
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
