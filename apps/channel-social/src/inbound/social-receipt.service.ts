import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GroupCommitQueue } from '@switchboard/messaging';
import { InjectServiceDataSource, createLogger, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

export interface SocialReceipt {
  readonly channelAccountId: string;
  /** wamid, mid, or Telegram's update_id. */
  readonly providerId: string;
}

// Meta retries for up to 36 hours (WhatsApp reportedly 7 days): receipts outlive that, and
// history dedupes by provider id beyond it.
const RECEIPT_RETENTION = '8 days';
const PRUNE_EVERY_MS = 60 * 60 * 1000;
// At hundreds of webhooks a second a round trip per lookup and per record is most of a webhook's
// cost: concurrent webhooks share them (one query while another is in flight), as channel-sms does.
const MAX_BATCH = 1_000;

interface Lookup extends SocialReceipt {
  found: boolean;
}

/**
 * Which provider ids were acknowledged already (`channels.social_inbound_receipts`). Checked before
 * and written after the publish, so a retry after a failed publish publishes again, and a retry
 * after the acknowledgement publishes nothing. One query per webhook, however many messages it
 * carries (Meta batches up to 1,000).
 */
@Injectable()
export class SocialReceiptService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('channel-social.receipts');
  private pruner: NodeJS.Timeout | undefined;
  private readonly lookups = new GroupCommitQueue<Lookup>((batch) => this.lookUp(batch), {
    maxItems: MAX_BATCH,
  });
  private readonly records = new GroupCommitQueue<SocialReceipt>((batch) => this.insert(batch), {
    maxItems: MAX_BATCH,
  });

  constructor(@InjectServiceDataSource('channels_social') private readonly db: DataSource) {}

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

  /** The receipts among `receipts` that were recorded before, as `account|id` keys. */
  async received(receipts: readonly SocialReceipt[]): Promise<Set<string>> {
    const lookups: Lookup[] = receipts.map((r) => ({ ...r, found: false }));
    await this.lookups.enqueue(lookups);
    return new Set(lookups.filter((l) => l.found).map(receiptKey));
  }

  /** Resolves once stored: a retry arriving after the acknowledgement finds them. */
  record(receipts: readonly SocialReceipt[]): Promise<void> {
    return this.records.enqueue(receipts);
  }

  private async lookUp(batch: readonly Lookup[]): Promise<void> {
    const rows = await queryRows<{ channel_account_id: string; provider_id: string }>(
      this.db,
      `SELECT r.channel_account_id, r.provider_id
       FROM unnest($1::uuid[], $2::text[]) AS k(channel_account_id, provider_id)
       JOIN channels.social_inbound_receipts r USING (channel_account_id, provider_id)`,
      columns(batch),
    );
    const found = new Set(rows.map((r) => `${r.channel_account_id}|${r.provider_id}`));
    for (const lookup of batch) lookup.found = found.has(receiptKey(lookup));
  }

  private async insert(batch: readonly SocialReceipt[]): Promise<void> {
    await this.db.query(
      `INSERT INTO channels.social_inbound_receipts (channel_account_id, provider_id)
       SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING`,
      columns(batch),
    );
  }

  /** Deletes receipts older than the retention; every workspace's, by design (housekeeping). */
  async prune(): Promise<number> {
    const [, deleted] = await this.db.query<[unknown, number]>(
      `DELETE FROM channels.social_inbound_receipts WHERE received_at < now() - interval '${RECEIPT_RETENTION}'`,
    );
    return deleted;
  }
}

export function receiptKey(receipt: SocialReceipt): string {
  return `${receipt.channelAccountId}|${receipt.providerId}`;
}

function columns(receipts: readonly SocialReceipt[]): [string[], string[]] {
  return [receipts.map((r) => r.channelAccountId), receipts.map((r) => r.providerId)];
}
