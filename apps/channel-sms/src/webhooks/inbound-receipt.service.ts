import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GroupCommitQueue } from '@switchboard/messaging';
import { type ConfigOf, InjectConfig, InjectServiceDataSource, createLogger } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { SmsChannelConfig } from '../sms-channel.config.js';

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
// Often, a few thousand receipts a statement: no hourly burst of deletes.
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH_SIZE = 2_000;
const HOUR_MS = 3_600_000;

/**
 * Which MessageSids were acknowledged already (`channels.sms_inbound_receipts`): Twilio retries a
 * webhook it didn't see answered, and the retry must not be published again.
 */
@Injectable()
export class InboundReceiptService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('channel-sms.receipts');
  private pruner: NodeJS.Timeout | undefined;
  private pruning: Promise<void> | undefined;
  private readonly lookups = new GroupCommitQueue<Lookup>((batch) => this.lookUp(batch), {
    maxItems: MAX_BATCH,
  });
  private readonly records = new GroupCommitQueue<Receipt>((batch) => this.insert(batch), {
    maxItems: MAX_BATCH,
  });

  constructor(
    @InjectServiceDataSource('channels') private readonly db: DataSource,
    @InjectConfig(SmsChannelConfig) private readonly config: ConfigOf<typeof SmsChannelConfig>,
  ) {}

  onModuleInit(): void {
    const retentionMs = this.config.SMS_RECEIPT_RETENTION_HOURS * HOUR_MS;
    this.pruner = setInterval(() => {
      this.pruning ??= (async () => {
        // A full batch means more may be due: go on until one comes back short.
        while ((await this.prune(retentionMs, PRUNE_BATCH_SIZE)) >= PRUNE_BATCH_SIZE) continue;
      })()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not prune receipts'))
        .finally(() => (this.pruning = undefined));
    }, PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pruner);
    await Promise.all([this.lookups.drain(), this.records.drain(), this.pruning]);
  }

  /**
   * Deletes up to `limit` of the oldest receipts past the retention (SMS_RECEIPT_RETENTION_HOURS);
   * every workspace's, by design (a housekeeping job).
   */
  async prune(retentionMs: number, limit: number): Promise<number> {
    // TypeORM answers a DELETE on PostgreSQL with [rows, affected count].
    const [, deleted] = await this.db.query<[unknown, number]>(
      `DELETE FROM channels.sms_inbound_receipts WHERE (workspace_id, channel_account_id, message_sid) IN (
         SELECT workspace_id, channel_account_id, message_sid FROM channels.sms_inbound_receipts
         WHERE received_at < now() - make_interval(secs => $1::double precision / 1000)
         ORDER BY received_at LIMIT $2)`,
      [retentionMs, limit],
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
