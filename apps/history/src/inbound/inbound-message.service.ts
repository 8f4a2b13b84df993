import { Injectable } from '@nestjs/common';
import type { InboundMessageReceivedV1 } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

export interface IngestResult {
  readonly stored: number;
  readonly duplicates: number;
}

/** Stores inbound customer messages, each once, however often it arrives. */
@Injectable()
export class InboundMessageService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  /**
   * One statement for the whole batch (sustained ingest is thousands a second). The provider's
   * message id per channel account is the natural key: a provider retry and a redelivery after a
   * crash both land on `ON CONFLICT DO NOTHING`.
   */
  async ingest(events: readonly InboundMessageReceivedV1[]): Promise<IngestResult> {
    if (events.length === 0) return { stored: 0, duplicates: 0 };
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO history.messages
         (id, workspace_id, event_id, direction, channel, channel_account_id, provider_message_id,
          sender_kind, sender_address, text, attachments, received_at)
       SELECT id, workspace_id, event_id, 'in', channel, channel_account_id, provider_message_id,
              sender_kind, sender_address, text, attachments, received_at
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                   $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::timestamptz[])
         AS t(id, workspace_id, event_id, channel, channel_account_id, provider_message_id,
              sender_kind, sender_address, text, attachments, received_at)
       ON CONFLICT ON CONSTRAINT messages_provider_id_unique DO NOTHING
       RETURNING id`,
      [
        events.map(() => randomUUID()),
        events.map((e) => e.workspaceId),
        events.map((e) => e.id),
        events.map((e) => e.payload.channel),
        events.map((e) => e.payload.channelAccountId),
        events.map((e) => e.payload.providerMessageId),
        events.map((e) => e.payload.sender.kind),
        events.map((e) => e.payload.sender.address),
        events.map((e) => e.payload.text),
        events.map((e) => JSON.stringify(e.payload.attachments)),
        events.map((e) => e.payload.receivedAt),
      ],
    );
    return { stored: rows.length, duplicates: events.length - rows.length };
  }
}
