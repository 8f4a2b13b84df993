import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EventBus } from '@switchboard/messaging';
import { InjectServiceDataSource, createLogger, preparedRows } from '@switchboard/platform';
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
    // otherwise (a poll) one plain read says whether to open the relay's transaction at all: one
    // round trip where the transaction is three.
    let expectRows = true;
    while (!this.stopping) {
      expectRows ||= this.kicked;
      this.kicked = false;
      let round: RelayRound;
      try {
        round = expectRows || (await this.outboxHoldsRows()) ? await this.relayOnce() : EMPTY_ROUND;
        failures = 0;
      } catch (error) {
        failures += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures);
        this.logger.warn({ error: String(error), failures, delayMs: delay }, 'outbox relay failed; retrying');
        await this.idle(delay);
        expectRows = true;
        continue;
      }
      // A round that left rows behind goes again at once. One that took every row it saw emptied
      // the outbox as of its snapshot: what this process commits later kicks, and another
      // replica's rows wait for the poll.
      expectRows = round.leftRows;
      if (!round.leftRows && !this.kicked) await this.idle(IDLE_POLL_MS);
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

  /**
   * Takes the oldest rows, up to about BATCH events, deleting them in the statement that reads
   * them, and publishes them before the transaction commits: a failed publish rolls the delete
   * back. The advisory lock is taken in the same statement (no rows unless this relay holds it).
   */
  private relayOnce(): Promise<RelayRound> {
    return this.db.transaction(async (tx) => {
      const taken = await preparedRows<{ id: string; entries: OutboxEntry[]; left_rows: boolean }>(
        tx,
        'history.outbox.take',
        `WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtext('history.outbox')) AS locked),
         head AS (
           SELECT id, json_array_length(entries) AS n FROM history.outbox, lock
           WHERE lock.locked ORDER BY id LIMIT $1::int + 1),
         counted AS (
           SELECT id, row_number() OVER (ORDER BY id) AS row, sum(n) OVER (ORDER BY id) AS events FROM head),
         taken AS (SELECT id FROM counted WHERE row <= $1 AND (row = 1 OR events <= $2)),
         deleted AS (
           DELETE FROM history.outbox o USING taken WHERE o.id = taken.id RETURNING o.id, o.entries)
         SELECT id, entries, (SELECT count(*) FROM head) > (SELECT count(*) FROM taken) AS left_rows
         FROM deleted ORDER BY id`,
        [ROWS_PER_ROUND, BATCH],
      );
      if (taken.length === 0) return EMPTY_ROUND;
      // As stored: the outbox holds each event with the topic and key `routed()` gave it on commit.
      await EventBus.relayOutbox(
        this.bus,
        taken.flatMap((row) => row.entries),
      );
      return { leftRows: taken[0]!.left_rows };
    });
  }
}

interface RelayRound {
  /** The outbox held rows this round did not take: go again at once. */
  readonly leftRows: boolean;
}

const EMPTY_ROUND: RelayRound = { leftRows: false };
