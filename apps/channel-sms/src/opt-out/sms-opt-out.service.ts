import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

/**
 * Who asked not to be texted, per workspace and number: checked before every send, by the claim
 * that starts it (`SmsOutboundRecordService.claim`, ADR 0155).
 */
@Injectable()
export class SmsOptOutService {
  constructor(@InjectServiceDataSource('channels') private readonly db: DataSource) {}

  async record(
    workspaceId: string,
    phoneNumber: string,
    optedOut: boolean,
    keyword: string,
    at: Date,
  ): Promise<void> {
    // Twilio may deliver a retried STOP after a later START: the later keyword wins.
    await this.db.query(
      `INSERT INTO channels.sms_opt_outs (workspace_id, phone_number, opted_out, keyword, changed_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (workspace_id, phone_number) DO UPDATE
         SET opted_out = excluded.opted_out, keyword = excluded.keyword, changed_at = excluded.changed_at
         WHERE sms_opt_outs.changed_at <= excluded.changed_at`,
      [workspaceId, phoneNumber, optedOut, keyword, at],
    );
  }
}
