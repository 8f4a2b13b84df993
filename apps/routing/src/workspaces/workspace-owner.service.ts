import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EventBus } from '@switchboard/messaging';
import {
  Clock,
  DatabaseConfig,
  InjectConfig,
  InjectServiceDataSource,
  PlatformConfigService,
  createLogger,
  type ConfigOf,
  inSpanContinuing,
  returnedRows,
} from '@switchboard/platform';
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { RoutingEngine } from '../core/routing-engine.js';
import type { RoutingChanges } from '../core/routing-types.js';
import { applyInput } from '../inputs/routing-input.js';
import { ROUTING_INPUTS_CHANNEL, RoutingJournalRepository } from '../inputs/routing-journal.repository.js';
import { RoutingConfig } from '../routing.config.js';
import { eventOfEffect } from './routing-events.util.js';
import { RoutingStateRepository } from './routing-state.repository.js';
import { RoutingMetrics } from './routing-metrics.js';

/** How often an instance looks for workspaces nobody owns (a crashed owner's are taken over then). */
const POLL_MS = 500;
const BATCH = 500;
/** How often an owner prunes its workspace's journal, and how much one round deletes at most. */
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 5_000;
const PRUNE_ROUND = 20 * PRUNE_BATCH;
/** First key of the advisory lock each instance holds while alive, so they can count one another. */
const INSTANCE_LOCK_CLASS = 0x5b0a;

interface OwnedWorkspace {
  readonly workspaceId: string;
  readonly epoch: number;
  appliedSeq: number;
  /** Undefined after a failed batch: rebuilt from the database before the next one. */
  engine: RoutingEngine | undefined;
  running: Promise<void>;
  again: boolean;
  pending: boolean;
  timer: NodeJS.Timeout | undefined;
  /**
   * True once this owner saw the workspace's outbox empty and published everything it wrote since:
   * a batch's events then go to the log from memory, with no read of the outbox before or after.
   * False on taking over and after a failed publish: the next run flushes what is stored first.
   */
  outboxClear: boolean;
  /**
   * Outbox rows whose events the log already has, deleted by the next batch's commit rather than
   * by a statement of their own (or when the owner goes idle, hands the workspace back or stops).
   * Until then a takeover would publish them again, as after a crash: consumers dedupe by event id.
   */
  published: string[];
}

/**
 * Makes this instance the single writer of the workspaces it can lock (ADR 0020): a session-level
 * advisory lock per workspace, held on one connection, plus an epoch that fences a former owner's
 * late writes. The owner rebuilds the workspace's state from PostgreSQL, applies its journal in
 * order, persists each batch's changes with its events (outbox) and the journal position in one
 * transaction, and only then publishes. Timers (offers, steps, waits, grace, the bot's reply) run here.
 */
@Injectable()
export class WorkspaceOwnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('routing.owner');
  private readonly owned = new Map<string, OwnedWorkspace>();
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private poller: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private pruning: Promise<void> = Promise.resolve();
  private polling: Promise<void> = Promise.resolve();
  private stopped = false;
  private pollQueued = false;
  private metrics: RoutingMetrics | undefined;

  constructor(
    @InjectServiceDataSource('routing') private readonly db: DataSource,
    @InjectConfig(RoutingConfig) private readonly config: ConfigOf<typeof RoutingConfig>,
    @Inject(PlatformConfigService) private readonly platform: PlatformConfigService,
    @Inject(EventBus) private readonly bus: EventBus,
    private readonly journal: RoutingJournalRepository,
    private readonly state: RoutingStateRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics = new RoutingMetrics(() =>
      [...this.owned.values()].flatMap((w) => (w.engine === undefined ? [] : [w.engine])),
    );
    this.poller = setInterval(() => this.poll(), POLL_MS);
    this.poll();
    this.pruner = setInterval(() => {
      this.pruning = this.pruning.then(() => this.pruneOwned());
    }, PRUNE_EVERY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.metrics?.stop();
    clearInterval(this.poller);
    clearInterval(this.pruner);
    await this.polling;
    await this.pruning;
    await Promise.all([...this.owned.values()].map((w) => w.running));
    for (const w of this.owned.values()) clearTimeout(w.timer);
    await Promise.all([...this.owned.values()].map((w) => this.deletePublished(w)));
    this.owned.clear();
    // Ending the session releases every advisory lock at once: another instance takes over.
    await this.client?.end().catch(() => undefined);
  }

  /** Workspaces this instance owns now (tests and readiness). */
  ownedWorkspaces(): string[] {
    return [...this.owned.keys()];
  }

  /** Runs a workspace's pending work now, if owned here; resolves when done. */
  async settle(workspaceId: string): Promise<void> {
    const w = this.owned.get(workspaceId);
    if (!w) return;
    this.schedule(w);
    await w.running;
  }

  /** Prunes a workspace's journal now rather than on the next minute's round, if owned here. */
  async pruneNow(workspaceId: string): Promise<void> {
    const w = this.owned.get(workspaceId);
    if (w) await this.pruneJournal(w);
  }

  private poll(): void {
    if (this.stopped || this.pollQueued) return;
    this.pollQueued = true;
    this.polling = this.polling
      .then(() => (this.pollQueued = false))
      .then(() => this.acquireFree())
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'routing owner poll failed; retrying');
        this.dropConnection();
      });
  }

  /**
   * Takes workspaces nobody owns, up to this instance's fair share (the workspaces divided among
   * the instances alive now, rounded up), and hands back what it holds beyond that share when
   * instances join, so the work spreads over every instance. A crashed instance's workspaces are
   * free at once: its locks, its instance lock among them, ended with its session.
   */
  private async acquireFree(): Promise<void> {
    const client = await this.connect();
    const { rows } = await client.query<{ workspace_id: string; instances: string }>(
      `SELECT w.workspace_id, (SELECT count(*) FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objsubid = 2 AND l.granted
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS instances
       FROM routing.workspaces w`,
      [INSTANCE_LOCK_CLASS],
    );
    const instances = Math.max(1, Number(rows[0]?.instances ?? 1));
    const share = Math.ceil(rows.length / instances);
    for (const { workspace_id: workspaceId } of rows) {
      if (this.stopped) return;
      const w = this.owned.get(workspaceId);
      if (w) {
        this.schedule(w);
        continue;
      }
      if (this.owned.size >= share) continue;
      const locked = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended('routing:' || $1, 0)) AS locked`,
        [workspaceId],
      );
      if (!locked.rows[0]?.locked) continue;
      const epoch = returnedRows<{ epoch: string; applied_seq: string }>(
        await this.db.query(
          'UPDATE routing.workspaces SET epoch = epoch + 1 WHERE workspace_id = $1 RETURNING epoch, applied_seq',
          [workspaceId],
        ),
      );
      const owned: OwnedWorkspace = {
        workspaceId,
        epoch: Number(epoch[0]!.epoch),
        appliedSeq: Number(epoch[0]!.applied_seq),
        engine: undefined,
        running: Promise.resolve(),
        again: false,
        pending: false,
        timer: undefined,
        outboxClear: false,
        published: [],
      };
      this.owned.set(workspaceId, owned);
      this.logger.info({ workspaceId, epoch: owned.epoch }, 'routing: took ownership of workspace');
      this.schedule(owned);
    }
    // One workspace handed back per poll: the others see it free on their next poll, and an
    // instance never drops below its share while the count of instances settles.
    if (this.owned.size > share) await this.release([...this.owned.values()].at(-1)!, client);
  }

  /** Finishes the workspace's batch in flight, then gives up its lock for another instance. */
  private async release(w: OwnedWorkspace, client: pg.Client): Promise<void> {
    this.owned.delete(w.workspaceId);
    clearTimeout(w.timer);
    await w.running;
    clearTimeout(w.timer);
    await this.deletePublished(w);
    await client.query(`SELECT pg_advisory_unlock(hashtextextended('routing:' || $1, 0))`, [w.workspaceId]);
    this.logger.info(
      { workspaceId: w.workspaceId },
      'routing: handed workspace back to balance the instances',
    );
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const url = this.platform.get(DatabaseConfig).DATABASE_URL;
      const client = new pg.Client({ connectionString: url, application_name: 'switchboard:routing-owner' });
      client.on('error', (error) => {
        this.logger.warn({ err: error }, 'routing owner connection lost: giving up every workspace');
        this.dropConnection();
      });
      client.on('notification', (message) => {
        const w = message.payload ? this.owned.get(message.payload) : undefined;
        if (w) this.schedule(w);
        else if (message.payload) this.poll();
      });
      await client.connect();
      // Held while this session lives: how the instances count one another (pg_locks).
      for (let held = false; !held;) {
        const { rows } = await client.query<{ held: boolean }>(
          'SELECT pg_try_advisory_lock($1, $2) AS held',
          [INSTANCE_LOCK_CLASS, randomInt(2 ** 31)],
        );
        held = rows[0]!.held;
      }
      await client.query(`LISTEN ${ROUTING_INPUTS_CHANNEL}`);
      this.client = client;
      return client;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Locks died with the session: stop writing at once (the epoch fences anything in flight). */
  private dropConnection(): void {
    const client = this.client;
    this.client = undefined;
    for (const w of this.owned.values()) clearTimeout(w.timer);
    this.owned.clear();
    client?.end().catch(() => undefined);
  }

  private schedule(w: OwnedWorkspace): void {
    if (this.stopped) return;
    if (w.pending) {
      w.again = true;
      return;
    }
    w.pending = true;
    w.running = w.running
      .then(async () => {
        do {
          w.again = false;
          await this.run(w);
        } while (w.again && this.owned.get(w.workspaceId) === w);
      })
      .catch((error: unknown) => {
        this.logger.error(
          { err: error, workspaceId: w.workspaceId },
          'routing batch failed; state reloads from the database',
        );
        w.engine = undefined;
        clearTimeout(w.timer);
        w.timer = setTimeout(() => this.schedule(w), 1_000);
      })
      .finally(() => (w.pending = false));
  }

  private async run(w: OwnedWorkspace): Promise<void> {
    if (this.owned.get(w.workspaceId) !== w) return;
    if (!w.outboxClear) await this.flushOutbox(w);
    if (!w.engine) {
      const engine = new RoutingEngine({
        // Decisions are stamped on the injected clock (ADR 0120).
        clock: () => this.clock.now(),
        disconnectGraceMs: this.config.ROUTING_DISCONNECT_GRACE_SECONDS * 1000,
        transferWaitMs: this.config.ROUTING_TRANSFER_WAIT_SECONDS * 1000,
        botReplyMs: this.config.ROUTING_BOT_REPLY_SECONDS * 1000,
      });
      const fenced = await this.db.query<{ applied_seq: string }[]>(
        'SELECT applied_seq FROM routing.workspaces WHERE workspace_id = $1 AND epoch = $2',
        [w.workspaceId, w.epoch],
      );
      if (fenced.length === 0) return this.lose(w);
      w.appliedSeq = Number(fenced[0]!.applied_seq);
      engine.restore(await this.state.load(w.workspaceId, this.clock.now()));
      w.engine = engine;
      // Decisions that restoring made (a crash between a change and its decision) are saved now.
      if (!(await this.commit(w, engine, w.appliedSeq))) return;
    }
    const engine = w.engine;
    let read: number;
    do {
      const inputs = await this.journal.after(w.workspaceId, w.appliedSeq, BATCH);
      const apply = () => {
        for (const { input } of inputs) applyInput(engine, input);
        engine.advance();
        const last = inputs.length > 0 ? inputs[inputs.length - 1]!.seq : w.appliedSeq;
        return this.commit(w, engine, last);
      };
      // Decisions and the events they publish continue the trace of the inputs behind them.
      const committed =
        inputs.length === 0
          ? await apply()
          : await inSpanContinuing(
              'routing apply',
              inputs.map((i) => i.trace ?? undefined),
              { attributes: { 'switchboard.workspace_id': w.workspaceId, 'routing.inputs': inputs.length } },
              apply,
            );
      if (!committed) return;
      read = inputs.length;
    } while (read === BATCH);
    // A run that found nothing new (the poll's, every POLL_MS): no commit is coming to delete what
    // the log has from the outbox, so it goes now, and the outbox is empty while nothing happens.
    if (read === 0) await this.deletePublished(w);
    this.armTimer(w, engine);
  }

  private async pruneOwned(): Promise<void> {
    for (const w of [...this.owned.values()]) {
      if (this.stopped) return;
      if (this.owned.get(w.workspaceId) === w) await this.pruneJournal(w);
    }
  }

  /**
   * Applied entries are kept only to drop an event Kafka redelivers; past the retention they go, a
   * bounded round a minute. Beside the workspace's batches, not among them: it deletes only entries
   * at or before the applied position, which the owner never reads again.
   */
  private async pruneJournal(w: OwnedWorkspace): Promise<void> {
    const now = Date.now();
    const before = new Date(now - this.config.ROUTING_JOURNAL_RETENTION_HOURS * 3_600_000);
    try {
      let deleted = 0;
      let n: number;
      do {
        n = await this.journal.prune(w.workspaceId, w.appliedSeq, before, PRUNE_BATCH);
        deleted += n;
      } while (n === PRUNE_BATCH && deleted < PRUNE_ROUND);
      if (deleted > 0) this.logger.info({ workspaceId: w.workspaceId, deleted }, 'routing: pruned journal');
    } catch (error) {
      this.logger.warn(
        { err: error, workspaceId: w.workspaceId },
        'routing: journal pruning failed; next round retries',
      );
    }
  }

  /**
   * One statement, so one transaction: the epoch still ours, state changes, events to the outbox,
   * journal position, and the deletion of the outbox rows already published. A run that read
   * nothing and whose timers changed nothing writes nothing.
   */
  private async commit(w: OwnedWorkspace, engine: RoutingEngine, appliedSeq: number): Promise<boolean> {
    const changes = engine.takeChanges();
    const effects = engine.takeEffects();
    if (appliedSeq === w.appliedSeq && effects.length === 0 && isEmpty(changes)) return true;
    const events = effects.map((effect) => eventOfEffect(w.workspaceId, effect));
    const saved = await this.state.commitBatch({
      workspaceId: w.workspaceId,
      epoch: w.epoch,
      appliedSeq,
      engine,
      changes,
      events,
      published: w.published,
    });
    if (saved === null) {
      this.lose(w);
      return false;
    }
    w.published = [];
    w.appliedSeq = appliedSeq;
    this.metrics?.observeAssignments(engine, effects);
    if (events.length === 0) return true;
    if (!w.outboxClear) {
      await this.flushOutbox(w);
      return true;
    }
    // The outbox held only these (this owner is its one writer, and published all it wrote before):
    // publish them as they are rather than read them back; the rows go with the next commit. A
    // failed publish leaves them stored, and the next run flushes them first.
    w.outboxClear = false;
    await this.bus.emit(events.map((e) => e.event));
    w.published = saved;
    w.outboxClear = true;
    return true;
  }

  /**
   * Deletes the outbox rows whose events the log has, when no commit is coming to take them. A
   * failure leaves them to the next commit: they are only published again if another owner takes
   * the workspace first.
   */
  private async deletePublished(w: OwnedWorkspace): Promise<void> {
    if (w.published.length === 0) return;
    try {
      await this.state.deleteOutbox(w.published);
      w.published = [];
    } catch (error) {
      this.logger.warn(
        { err: error, workspaceId: w.workspaceId },
        'routing: deleting published outbox rows failed; the next commit deletes them',
      );
    }
  }

  private async flushOutbox(w: OwnedWorkspace): Promise<void> {
    w.outboxClear = false;
    await this.deletePublished(w);
    for (;;) {
      const rows = await this.state.outbox(w.workspaceId, 1000);
      if (rows.length > 0) {
        await this.bus.emit(rows.map((r) => r.event));
        await this.state.deleteOutbox(rows.map((r) => r.id));
      }
      if (rows.length < 1000) {
        w.outboxClear = true;
        return;
      }
    }
  }

  private armTimer(w: OwnedWorkspace, engine: RoutingEngine): void {
    clearTimeout(w.timer);
    w.timer = undefined;
    const next = engine.nextDeadline();
    if (next === undefined || this.stopped) return;
    w.timer = setTimeout(() => this.schedule(w), Math.max(0, next - this.clock.now()) + 1);
  }

  private lose(w: OwnedWorkspace): void {
    this.logger.warn(
      { workspaceId: w.workspaceId, epoch: w.epoch },
      'routing: another instance owns this workspace now',
    );
    clearTimeout(w.timer);
    if (this.owned.get(w.workspaceId) === w) this.owned.delete(w.workspaceId);
    const client = this.client;
    client
      ?.query(`SELECT pg_advisory_unlock(hashtextextended('routing:' || $1, 0))`, [w.workspaceId])
      .catch(() => undefined);
  }
}

function isEmpty(changes: RoutingChanges): boolean {
  return (
    changes.conversations.length === 0 &&
    changes.agents.length === 0 &&
    changes.customers.length === 0 &&
    changes.botChannels === null
  );
}
