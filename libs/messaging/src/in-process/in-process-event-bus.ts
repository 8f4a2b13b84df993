import { setMaxListeners } from 'node:events';
import { type EventDefinition, deadLetterTopic } from '@switchboard/contracts';
import { type BusLogger, silentBusLogger } from '../bus-logger.js';
import { BatchProcessor } from '../consumer/batch-processor.js';
import { cachedLag, countPublished, observeLag } from '../bus-metrics.js';
import { deadLetterHeaders, describeError } from '../dead-letter.js';
import {
  EventBus,
  EventBusUnavailableError,
  type OutgoingEvent,
  type SubscriptionHandle,
  type SubscriptionSpec,
} from '../event-bus.js';
import { GroupCommitQueue } from '../group-commit-queue.js';
import { partitionForKey } from '../partitioner.util.js';
import { backoffDelayMs, resolveRetryPolicy, sleep } from '../retry-policy.js';
import { TopicNamer } from '../topic-namer.js';
import { traceHeadersOf } from '../trace-headers.util.js';
import type { AppendRecord, EventLogStore } from './event-log-store.js';

export interface InProcessEventBusOptions {
  readonly partitions: number;
  readonly topicPrefix?: string;
  readonly logger?: BusLogger;
  /**
   * Records every durable group has processed go once they are this old (EVENT_LOG_RETENTION_HOURS;
   * 0 in tests: at once). Dead letters stay for an operator.
   */
  readonly retentionMs: number;
  /**
   * A group not seen for this long is forgotten, so that a group that is gone (a service no longer
   * deployed) does not hold back pruning forever (EVENT_LOG_GROUP_RETENTION_DAYS; Kafka's
   * offsets.retention.minutes is 7 days).
   */
  readonly groupRetentionMs: number;
  /** How often pruning runs (default 10 s): often, so each run has little to do. */
  readonly pruneEveryMs?: number;
  /** Records deleted per statement (default 500): a backlog goes in short transactions, not one. */
  readonly pruneBatchSize?: number;
}

const DEFAULT_MAX_BATCH = 500;
/** Wake-ups come from publishing; this is only the safety net if a wake-up is ever missed. */
const IDLE_POLL_MS = 30_000;
const PRUNE_EVERY_MS = 10_000;
const PRUNE_BATCH_SIZE = 500;
/** Between two batches of one run: appends and reads go on between them. */
const PRUNE_PAUSE_MS = 20;

/** Where an ephemeral group is: in memory only, gone with its last member. */
interface EphemeralPositions {
  /** The newest record when the group was formed: it reads what comes after. */
  readonly start: string | null;
  /** By physical topic and partition: the last record handled. */
  readonly handled: Map<string, string>;
}

interface Member {
  readonly spec: SubscriptionSpec;
  readonly processor: BatchProcessor;
  controller: AbortController;
  loops: Promise<void>[];
}

/**
 * The event log inside one process, for the embedded mode: the same semantics as Kafka (per-key
 * order through the same partitioner, consumer groups, at-least-once, offsets committed after the
 * handler, dead letters) on a durable store, so that what was acknowledged survives a crash.
 */
export class InProcessEventBus extends EventBus {
  private readonly logger: BusLogger;
  private readonly topics: TopicNamer;
  private readonly groups = new Map<string, Member[]>();
  private readonly ephemeralGroups = new Map<string, EphemeralPositions>();
  private readonly rebalancing = new Map<string, Promise<void>>();
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly appendQueue: GroupCommitQueue<AppendRecord>;
  private readonly pruneTimer: NodeJS.Timeout;
  private closed = false;
  /** The pruning run under way: runs never overlap, and close() waits for it. */
  private pruneRun: Promise<void> | undefined;
  private readonly stopObservingLag: () => void;

  constructor(
    private readonly store: EventLogStore,
    private readonly options: InProcessEventBusOptions,
  ) {
    super();
    this.logger = options.logger ?? silentBusLogger;
    this.topics = new TopicNamer(options.topicPrefix ?? '');
    this.appendQueue = new GroupCommitQueue((records) => this.append(records), { maxItems: 5_000 });
    this.pruneTimer = setInterval(() => {
      this.pruneRun ??= this.prune().finally(() => (this.pruneRun = undefined));
    }, options.pruneEveryMs ?? PRUNE_EVERY_MS).unref();
    this.stopObservingLag = observeLag(cachedLag(() => this.readLag(), 5_000, 2_000));
  }

  protected override async publishRouted(list: readonly OutgoingEvent[]): Promise<void> {
    if (this.closed) throw new EventBusUnavailableError('event bus is closed');
    await this.appendQueue.enqueue(
      list.map((e) => ({
        topic: this.topics.physical(e.topic),
        partition: partitionForKey(e.key, this.options.partitions),
        key: e.key,
        value: Buffer.from(JSON.stringify(e.event)),
        headers: traceHeadersOf(e) ?? null,
      })),
    );
    countPublished(list);
  }

  override async subscribe<D extends EventDefinition>(
    typed: SubscriptionSpec<D>,
  ): Promise<SubscriptionHandle> {
    // Decoding checks every event against `accepts`, so the handler only ever sees EventOf<D>.
    const spec = typed as unknown as SubscriptionSpec;
    if (this.closed) throw new EventBusUnavailableError('event bus is closed');
    // Read before joining: whatever is published once subscribe() resolves comes after it.
    const start = spec.ephemeral ? await this.store.lastOffset() : null;
    const member: Member = {
      spec,
      processor: new BatchProcessor({
        spec,
        retry: resolveRetryPolicy(spec.retry),
        logger: this.logger,
        deadLetter: (letters) =>
          this.appendQueue.enqueue(
            letters.map((letter) => ({
              topic: this.topics.physical(deadLetterTopic(letter.record.topic)),
              partition: letter.record.partition,
              key: letter.record.key,
              value: letter.record.value,
              headers: deadLetterHeaders(letter),
            })),
          ),
      }),
      controller: partitionLoopsController(),
      loops: [],
    };
    const joined = this.changeMembers(spec.groupId, (current) => {
      if (spec.ephemeral && !this.ephemeralGroups.has(spec.groupId)) {
        this.ephemeralGroups.set(spec.groupId, { start, handled: new Map() });
      }
      return [...current, member];
    });
    const handle: SubscriptionHandle = {
      assigned: joined,
      stop: () => this.changeMembers(spec.groupId, (current) => current.filter((m) => m !== member)),
    };
    await joined;
    return handle;
  }

  override async checkHealth(): Promise<void> {
    if (this.closed) throw new EventBusUnavailableError('event bus is closed');
    await this.store.checkHealth();
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopObservingLag();
    clearInterval(this.pruneTimer);
    await this.pruneRun;
    await Promise.all([...this.groups.keys()].map((groupId) => this.changeMembers(groupId, () => [])));
    await this.appendQueue.drain();
    await this.store.close();
  }

  private async append(records: readonly AppendRecord[]): Promise<void> {
    try {
      await this.store.append(records);
    } catch (error) {
      throw new EventBusUnavailableError(`could not append to the event log: ${describeError(error)}`, {
        cause: error,
      });
    }
    for (const topic of new Set(records.map((r) => r.topic))) {
      for (const wake of this.wakers.get(topic) ?? []) wake();
    }
  }

  /** The durable groups' lag from their stored positions, in this deployment's names. */
  private async readLag() {
    const rows = await this.store.lag();
    const prefix = this.topics.physical('');
    return rows
      .filter((row) => row.group.startsWith(prefix) && row.topic.startsWith(prefix))
      .map((row) => ({
        ...row,
        group: this.topics.logical(row.group),
        topic: this.topics.logical(row.topic),
      }));
  }

  /** Membership changes of one group happen one at a time, each on the outcome of the last. */
  private changeMembers(groupId: string, change: (current: readonly Member[]) => Member[]): Promise<void> {
    const next = (this.rebalancing.get(groupId) ?? Promise.resolve()).then(() =>
      this.rebalance(groupId, change(this.groups.get(groupId) ?? [])),
    );
    this.rebalancing.set(groupId, next);
    return next;
  }

  /**
   * Gives a group's partitions to its members, as a Kafka group coordinator would: every member
   * stops (finishing its batch in flight and committing it), then each starts on its new share.
   */
  private async rebalance(groupId: string, members: Member[]): Promise<void> {
    const previous = this.groups.get(groupId) ?? [];
    for (const member of previous) member.controller.abort();
    await Promise.all(previous.flatMap((m) => m.loops));
    if (members.length === 0) {
      this.groups.delete(groupId);
      this.ephemeralGroups.delete(groupId);
      return;
    }
    this.groups.set(groupId, members);
    members.forEach((member, index) => {
      member.controller = partitionLoopsController();
      member.loops = [];
      for (const topic of member.spec.topics) {
        for (let partition = 0; partition < this.options.partitions; partition++) {
          if (partition % members.length !== index) continue;
          member.loops.push(this.consumePartition(member, topic, partition, member.controller.signal));
        }
      }
    });
  }

  private async consumePartition(
    member: Member,
    topic: string,
    partition: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { spec, processor } = member;
    const physical = this.topics.physical(topic);
    const groupId = this.topics.physical(spec.groupId);
    const maxBatch = spec.maxBatchSize ?? DEFAULT_MAX_BATCH;
    const ephemeral = spec.ephemeral ? this.ephemeralGroups.get(spec.groupId) : undefined;
    const position = `${physical}\u0000${partition}`;
    let committed: string | null | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (committed === undefined) {
          committed = ephemeral
            ? (ephemeral.handled.get(position) ?? ephemeral.start)
            : await this.store.committed(groupId, physical, partition);
        }
        const wake = this.waitForAppend(physical, signal);
        const records = await this.store.read(physical, partition, committed, maxBatch);
        if (records.length === 0) {
          await wake.promise;
          continue;
        }
        wake.cancel();
        const outcome = await processor.process(
          records.map((r) => ({
            topic,
            partition,
            offset: r.offset,
            key: r.key,
            value: r.value,
            headers: r.headers,
          })),
          signal,
        );
        if (outcome === 'aborted') return;
        const last = records[records.length - 1]!.offset;
        if (ephemeral) ephemeral.handled.set(position, last);
        else await this.store.commit(groupId, physical, partition, last);
        committed = last;
        failures = 0;
      } catch (error) {
        failures += 1;
        this.logger.warn(
          { groupId: spec.groupId, topic, partition, error: describeError(error) },
          'event log read failed; retrying',
        );
        await sleep(
          backoffDelayMs(resolveRetryPolicy({ initialBackoffMs: 200, maxBackoffMs: 5_000 }), failures),
          signal,
        );
      }
    }
  }

  /** A promise that settles at the next append to the topic (or the idle poll, or abort). */
  private waitForAppend(topic: string, signal: AbortSignal): { promise: Promise<void>; cancel: () => void } {
    let wakers = this.wakers.get(topic);
    if (wakers === undefined) {
      wakers = new Set();
      this.wakers.set(topic, wakers);
    }
    const set = wakers;
    let done: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), IDLE_POLL_MS);
      const onAbort = () => done();
      done = () => {
        clearTimeout(timer);
        set.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      // An already-aborted signal never fires 'abort' again.
      if (signal.aborted) return done();
      signal.addEventListener('abort', onAbort, { once: true });
      set.add(done);
    });
    return { promise, cancel: () => done() };
  }

  /**
   * One pruning run: forget groups gone for the group retention, then delete what every group has
   * processed and the retention no longer keeps, a batch at a time until a batch comes back short.
   */
  private async prune(): Promise<void> {
    const batchSize = this.options.pruneBatchSize ?? PRUNE_BATCH_SIZE;
    try {
      const live = [...this.groups.keys()].map((groupId) => this.topics.physical(groupId));
      const forgotten = await this.store.forgetIdleGroups(live, this.options.groupRetentionMs);
      if (forgotten > 0)
        this.logger.info({ forgotten }, 'forgot the positions of groups not seen within the group retention');
      let removed = 0;
      for (;;) {
        const batch = await this.store.prune(this.options.retentionMs, batchSize);
        removed += batch;
        if (batch < batchSize || this.closed) break;
        await sleep(PRUNE_PAUSE_MS);
      }
      if (removed > 0) this.logger.debug({ removed }, 'pruned processed records from the event log');
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, 'could not prune the event log');
    }
  }
}

/**
 * One signal stops every partition loop of a member: a member of a subscription to several topics
 * waits on topics × partitions listeners at once, past Node's leak warning of 10.
 */
function partitionLoopsController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
