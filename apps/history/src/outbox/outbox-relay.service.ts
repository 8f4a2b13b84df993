import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EventBus } from '@switchboard/messaging';
import { InjectServiceDataSource, createLogger } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { rows } from '../database/sql.util.js';
import type { OutboxEntry } from './outbox.js';

const BATCH = 2_000;
const ROWS_PER_ROUND = 200;
const IDLE_POLL_MS = 200;
const MAX_BACKOFF_MS = 5_000;

/**
 * Publishes `history.outbox` to the event log, oldest first, and deletes what the log took
 * (ADR 0010). One relay at a time per database (a transaction-scoped advisory lock), so replicas
 * never publish one workspace's events out of order. A crash between publish and delete publishes
 * those events again: consumers dedupe by event id, as they must anyway.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('history.outbox');
  private running: Promise<void> | undefined;
  private stopping = false;
  private kicked = false;
  private wake: (() => void) | undefined;

  constructor(
    @InjectServiceDataSource('history') private readonly db: DataSource,
    private readonly bus: EventBus,
  ) {}

  /** Something was just committed to the outbox: relay now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    // Whether a round may find rows: after a kick (a commit that wrote some) or a failure, yes;
    // otherwise (a poll, or the round after one that relayed) one plain read says whether to open
    // the relay's transaction at all: one round trip where the transaction is three.
    let expectRows = true;
    while (!this.stopping) {
      expectRows ||= this.kicked;
      this.kicked = false;
      let relayed: number;
      try {
        relayed = expectRows || (await this.outboxHoldsRows()) ? await this.relayOnce() : 0;
        expectRows = false;
        failures = 0;
      } catch (error) {
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures);
        this.logger.warn({ error: String(error), failures, delayMs: delay }, 'outbox relay failed; retrying');
        await this.idle(delay);
        expectRows = true;
        continue;
      }
      // After a non-empty round, go again at once: the outbox may hold more.
      if (relayed === 0 && !this.kicked) await this.idle(IDLE_POLL_MS);
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private async outboxHoldsRows(): Promise<boolean> {
    const [found] = await rows<{ held: boolean }>(
      this.db,
      'SELECT EXISTS (SELECT 1 FROM history.outbox) AS held',
    );
    return found?.held === true;
  }

  private relayOnce(): Promise<number> {
    return this.db.transaction(async (tx) => {
      // The lock and the rows in one round trip: no rows unless this relay holds the lock (the
      // lateral subquery runs only then); one row with null id when the outbox is empty.
      // Rows hold a transaction's events each; take rows until about BATCH events.
      const found = await rows<{ id: string | null; entries: OutboxEntry[] | null }>(
        tx,
        `WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtext('history.outbox')) AS locked)
         SELECT o.id, o.entries
         FROM lock LEFT JOIN LATERAL (
           SELECT id, entries FROM history.outbox WHERE lock.locked ORDER BY id LIMIT $1
         ) AS o ON true`,
        [ROWS_PER_ROUND],
      );
      const batch: OutboxEntry[] = [];
      const ids: string[] = [];
      for (const row of found) {
        if (row.id === null || row.entries === null) break;
        if (batch.length > 0 && batch.length + row.entries.length > BATCH) break;
        batch.push(...row.entries);
        ids.push(row.id);
      }
      if (batch.length === 0) return 0;
      // As stored: the outbox holds each event with the topic and key `routed()` gave it on commit.
      await EventBus.relayOutbox(this.bus, batch);
      await tx.query('DELETE FROM history.outbox WHERE id = ANY($1::bigint[])', [ids]);
      return batch.length;
    });
  }
}
