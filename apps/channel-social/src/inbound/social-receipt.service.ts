import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
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

  constructor(@InjectServiceDataSource('channels_social') private readonly db: DataSource) {}

  onModuleInit(): void {
    this.pruner = setInterval(() => {
      this.prune().catch((error: unknown) => this.logger.warn({ err: error }, 'could not prune receipts'));
    }, PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pruner);
  }

  /** The receipts among `receipts` that were recorded before, as `account|id` keys. */
  async received(receipts: readonly SocialReceipt[]): Promise<Set<string>> {
    if (receipts.length === 0) return new Set();
    const rows = await queryRows<{ channel_account_id: string; provider_id: string }>(
      this.db,
      `SELECT r.channel_account_id, r.provider_id
       FROM unnest($1::uuid[], $2::text[]) AS k(channel_account_id, provider_id)
       JOIN channels.social_inbound_receipts r USING (channel_account_id, provider_id)`,
      columns(receipts),
    );
    return new Set(
      rows.map((r) => receiptKey({ channelAccountId: r.channel_account_id, providerId: r.provider_id })),
    );
  }

  /** Resolves once stored: a retry arriving after the acknowledgement finds them. */
  async record(receipts: readonly SocialReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    await this.db.query(
      `INSERT INTO channels.social_inbound_receipts (channel_account_id, provider_id)
       SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING`,
      columns(receipts),
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
