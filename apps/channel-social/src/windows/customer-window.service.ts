import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { GroupCommitQueue } from '@switchboard/messaging';
import { InjectServiceDataSource, createLogger, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

export interface InboundTouch {
  readonly workspaceId: string;
  readonly channelAccountId: string;
  readonly address: string;
  readonly at: Date;
}

/**
 * When each customer last wrote to each account (`channels.social_customer_windows`). A webhook
 * does not wait for its write (ADR 0126) unless the writes are failing: delivery also takes the
 * customer's last message from the request history made (`lastInbound`), so a reply to a message
 * whose write is still under way, or was lost, is not refused.
 */
@Injectable()
export class CustomerWindowService implements OnApplicationShutdown {
  private readonly logger = createLogger('channel-social.windows');
  // Concurrent webhooks share one statement (a round trip each would dominate at hundreds a second).
  private readonly touches = new GroupCommitQueue<InboundTouch>((batch) => this.write(batch), {
    maxItems: 1_000,
  });
  private lastWriteFailed = false;

  constructor(@InjectServiceDataSource('channels_social') private readonly db: DataSource) {}

  /** Only ever moves forward: a retried or late webhook never shortens a window. */
  touch(touches: readonly InboundTouch[]): Promise<void> {
    return this.touches.enqueue(touches);
  }

  /**
   * True from a write that failed until one succeeds (the database unreachable): webhooks then
   * wait for their own write and are answered 503 while it fails, as before ADR 0126.
   */
  get failing(): boolean {
    return this.lastWriteFailed;
  }

  /** Writes under way when the app stops are finished before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.touches.drain();
  }

  private async write(touches: readonly InboundTouch[]): Promise<void> {
    try {
      await this.upsert(touches);
      this.lastWriteFailed = false;
    } catch (error) {
      // Once per shared statement, not once per webhook in it.
      if (!this.lastWriteFailed)
        this.logger.warn({ err: (error as Error).message }, 'customer windows not recorded');
      this.lastWriteFailed = true;
      throw error;
    }
  }

  private async upsert(touches: readonly InboundTouch[]): Promise<void> {
    // One row per customer: PostgreSQL refuses to update a row twice in one statement.
    const latest = new Map<string, InboundTouch>();
    for (const touch of touches) {
      const key = `${touch.workspaceId}|${touch.channelAccountId}|${touch.address}`;
      const seen = latest.get(key);
      if (seen === undefined || seen.at < touch.at) latest.set(key, touch);
    }
    const rows = [...latest.values()];
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO channels.social_customer_windows AS w (workspace_id, channel_account_id, address, last_inbound_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])
       ON CONFLICT (workspace_id, channel_account_id, address)
       DO UPDATE SET last_inbound_at = GREATEST(w.last_inbound_at, EXCLUDED.last_inbound_at)`,
      [
        rows.map((t) => t.workspaceId),
        rows.map((t) => t.channelAccountId),
        rows.map((t) => t.address),
        rows.map((t) => t.at.toISOString()),
      ],
    );
  }

  async lastInboundAt(workspaceId: string, channelAccountId: string, address: string): Promise<Date | null> {
    const rows = await queryRows<{ last_inbound_at: Date }>(
      this.db,
      `SELECT last_inbound_at FROM channels.social_customer_windows
       WHERE workspace_id = $1 AND channel_account_id = $2 AND address = $3`,
      [workspaceId, channelAccountId, address],
    );
    return rows[0]?.last_inbound_at ?? null;
  }
}
