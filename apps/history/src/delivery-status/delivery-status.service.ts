import { Injectable } from '@nestjs/common';
import type { DeliveryStatusChangedV1 } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { deliveryRankSql, isFailure } from './delivery-status-rank.util.js';

/**
 * Applies the channels' delivery receipts to outbound messages, idempotently and monotonically:
 * the UPDATE itself only moves a status to a higher rank, so redelivery and reordering are
 * harmless. A failure keeps its error code and message; the provider's message id is recorded the
 * first time a receipt carries it, so later receipts can find the message by it.
 */
@Injectable()
export class DeliveryStatusService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async apply(events: readonly DeliveryStatusChangedV1[]): Promise<number> {
    if (events.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      let applied = 0;
      for (const event of events) {
        const p = event.payload;
        const failure = isFailure(p.status);
        const result: unknown = await tx.query(
          `UPDATE history.messages m
           SET delivery_status = $4::text, delivery_status_at = $5::timestamptz,
               delivery_error_code = CASE WHEN $8::boolean THEN $6::text ELSE NULL END,
               delivery_error_message = CASE WHEN $8::boolean THEN $7::text ELSE NULL END,
               provider_message_id = coalesce(m.provider_message_id, $3::text),
               channel_account_id = coalesce(m.channel_account_id, $2::text)
           WHERE m.workspace_id = $1 AND m.direction = 'out'
             AND (($9::uuid IS NOT NULL AND m.id = $9::uuid)
                  OR ($9::uuid IS NULL AND m.channel_account_id = $2::text AND m.provider_message_id = $3::text))
             AND ${deliveryRankSql('m.delivery_status')} < ${deliveryRankSql('$4::text')}`,
          [
            event.workspaceId,
            p.channelAccountId,
            p.providerMessageId ?? null,
            p.status,
            p.statusAt,
            p.errorCode ?? null,
            p.errorMessage ?? null,
            failure,
            p.messageId ?? null,
          ],
        );
        applied += Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
      }
      return applied;
    });
  }
}
