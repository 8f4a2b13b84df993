import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GroupCommitQueue } from '@switchboard/messaging';
import { InjectServiceDataSource, createLogger } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

interface Receipt {
  readonly workspaceId: string;
  readonly channelAccountId: string;
  readonly messageSid: string;
}

interface Lookup extends Receipt {
  found: boolean;
}

// At hundreds of webhooks a second, a round trip per check and per receipt is most of the cost of
// a webhook: concurrent requests share them (one query while another is in flight).
const MAX_BATCH = 500;
// Twilio retries within minutes; a week of receipts is ample, and history dedupes beyond it.
const RECEIPT_RETENTION = '7 days';
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Which MessageSids were acknowledged already (`channels.sms_inbound_receipts`): Twilio retries a
 * webhook it didn't see answered, and the retry must not be published again.
 */
@Injectable()
export class InboundReceiptService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('channel-sms.receipts');
  private pruner: NodeJS.Timeout | undefined;
  private readonly lookups = new GroupCommitQueue<Lookup>((batch) => this.lookUp(batch), {
    maxItems: MAX_BATCH,
  });
  private readonly records = new GroupCommitQueue<Receipt>((batch) => this.insert(batch), {
    maxItems: MAX_BATCH,
  });

  constructor(@InjectServiceDataSource('channels') private readonly db: DataSource) {}

  onModuleInit(): void {
    this.pruner = setInterval(() => {
      this.prune().catch((error: unknown) => this.logger.warn({ err: error }, 'could not prune receipts'));
    }, PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pruner);
    await Promise.all([this.lookups.drain(), this.records.drain()]);
  }

  /** Deletes receipts older than the retention; every workspace's, by design (a housekeeping job). */
  async prune(): Promise<number> {
    // TypeORM answers a DELETE on PostgreSQL with [rows, affected count].
    const [, deleted] = await this.db.query<[unknown, number]>(
      `DELETE FROM channels.sms_inbound_receipts WHERE received_at < now() - interval '${RECEIPT_RETENTION}'`,
    );
    return deleted;
  }

  async wasReceived(receipt: Receipt): Promise<boolean> {
    const lookup: Lookup = { ...receipt, found: false };
    await this.lookups.enqueue([lookup]);
    return lookup.found;
  }

  /** Resolves once the receipt is stored: a retry arriving after the acknowledgement finds it. */
  record(receipt: Receipt): Promise<void> {
    return this.records.enqueue([receipt]);
  }

  private async lookUp(batch: readonly Lookup[]): Promise<void> {
    const rows: { workspace_id: string; channel_account_id: string; message_sid: string }[] =
      await this.db.query(
        `SELECT r.workspace_id, r.channel_account_id, r.message_sid
       FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(workspace_id, channel_account_id, message_sid)
       JOIN channels.sms_inbound_receipts r USING (workspace_id, channel_account_id, message_sid)`,
        columns(batch),
      );
    const found = new Set(rows.map((r) => `${r.workspace_id}|${r.channel_account_id}|${r.message_sid}`));
    for (const lookup of batch)
      lookup.found = found.has(`${lookup.workspaceId}|${lookup.channelAccountId}|${lookup.messageSid}`);
  }

  private async insert(batch: readonly Receipt[]): Promise<void> {
    await this.db.query(
      `INSERT INTO channels.sms_inbound_receipts (workspace_id, channel_account_id, message_sid)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])
       ON CONFLICT DO NOTHING`,
      columns(batch),
    );
  }
}

function columns(batch: readonly Receipt[]): [string[], string[], string[]] {
  return [
    batch.map((r) => r.workspaceId),
    batch.map((r) => r.channelAccountId),
    batch.map((r) => r.messageSid),
  ];
}
