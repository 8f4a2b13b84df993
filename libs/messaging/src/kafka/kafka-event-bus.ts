import { type EventDefinition, deadLetterTopic } from '@switchboard/contracts';
import type { Admin, Consumer, EachBatchPayload, LogEntry, Producer, TopicMessages } from 'kafkajs';
import { type BusLogger, silentBusLogger } from '../bus-logger.js';
import { BatchProcessor } from '../consumer/batch-processor.js';
import { DeferredCommits, commitFailureReporter, type HandledOffset } from '../consumer/deferred-commits.js';
import { type BatchProgress, FetchAhead } from '../consumer/fetch-ahead.js';
import { type PartitionLag, cachedLag, countPublished, observeLag } from '../bus-metrics.js';
import { type DeadLetter, deadLetterHeaders, describeError } from '../dead-letter.js';
import {
  EventBus,
  EventBusUnavailableError,
  type OutgoingEvent,
  type SubscriptionHandle,
  type SubscriptionSpec,
} from '../event-bus.js';
import { GroupCommitQueue } from '../group-commit-queue.js';
import { partitionForKey } from '../partitioner.util.js';
import { backoffDelayMs, resolveRetryPolicy, sleep, unlessAborted, whenAborted } from '../retry-policy.js';
import { TopicNamer } from '../topic-namer.js';
import { recordHeadersOf } from '../record-headers.js';
import { CrashedMemberEviction } from './crashed-member-eviction.js';
import { removeGroupMember } from './kafka-group-member.util.js';
import { kafkaErrorLevel, kafkaLogLevel } from './kafka-log-level.util.js';
import { Kafka, logLevel } from './kafkajs.js';
import { withTimeout } from './with-timeout.util.js';

export interface KafkaEventBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Prepended to every topic and consumer group: lets deployments (and test runs) share a cluster. */
  readonly topicPrefix?: string;
  /** Partitions for the topics this bus creates. */
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly logger?: BusLogger;
  /**
   * A publish not acknowledged by then, from the call (default 5 s), fails with
   * EventBusUnavailableError: the caller answers 503 while its provider still waits.
   */
  readonly publishTimeoutMs?: number;
  /** How long a silent consumer keeps its partitions before the group gives them to another member. */
  readonly sessionTimeoutMs?: number;
  /** How often a consumer heartbeats (default: a third of the session timeout, at most 3 s). */
  readonly heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to rejoin (default 60 s, kafkajs' own). */
  readonly rebalanceTimeoutMs?: number;
  /**
   * Producers publishing in parallel, each owning a share of the partitions (default 1: one lane
   * gathers four times as much in each request, and cost 15–28% less CPU per event than four in
   * alternating runs shaped as bench:bus, handling as much or more, ADR 0121).
   */
  readonly producerLanes?: number;
  /** Partitions of one subscription handled at the same time (each still strictly in order). */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Every subscription fetches each partition's next batch while the last is handled (see
   * `SubscriptionSpec.fetchAhead`, which a subscription may set alone). Default false.
   */
  readonly fetchAhead?: boolean;
  /**
   * How long a handled batch's offset may wait to be committed with those of the batches after
   * it, in one request (default 200 ms): the most a crashed consumer's successor delivers again.
   */
  readonly commitDelayMs?: number;
  /**
   * An ephemeral group starts with the events stamped this long before it subscribed (default
   * 5 s): events carry their producer's clock, and another host's may be behind ours.
   */
  readonly ephemeralLookbackMs?: number;
  /**
   * Members of processes that are gone (their PostgreSQL session closed) are evicted from this
   * process's groups at once rather than after their session timeout (ADR 0092). Unset: the
   * session timeout alone.
   */
  readonly crashedMemberEviction?: { readonly databaseUrl: string; readonly intervalMs: number };
}

/** Kafka's default max.message.bytes is 1 MiB per record batch; stay under it per produce request. */
const MAX_PRODUCE_BYTES = 900_000;
const DEFAULT_MAX_BATCH = 500;
/** See `KafkaEventBusOptions.commitDelayMs`. */
export const DEFAULT_COMMIT_DELAY_MS = 200;
/** Twilio waits 15 s for a webhook's answer; a publish is one step of it. */
const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

/** A record ready to produce: its physical topic and the partition its key maps to. */
export interface SerializedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly value: string;
  /** Shared between records (frozen) when untraced: read, never changed (recordHeadersOf). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Where an ephemeral group starts: per partition, the first event stamped since it subscribed. */
export interface EphemeralStart {
  readonly at: number;
  /** By `topic:partition` (physical), looked up once Kafka answers. */
  offsets: Map<string, string> | undefined;
  /** Partitions the group has committed on: from then on it resumes there, as any group. */
  readonly committed: Set<string>;
}

/** One producer with one request in flight, owning the partitions `p` where `p % lanes === index`. */
interface ProducerLane {
  readonly index: number;
  readonly queue: GroupCommitQueue<SerializedRecord>;
}

/**
 * The event log on Kafka through kafkajs, consumed directly rather than through Nest's Kafka
 * transport (which handles one message at a time through one consumer for every topic).
 *
 * Producer: idempotent, acks=all, one request in flight so that retries can't reorder a key;
 * concurrent publishes are group-committed into shared produce requests.
 * Consumers: one kafkajs consumer per subscription; offsets are committed only after the handler
 * succeeded (or the record was durably dead-lettered), a consumer's partitions together in one
 * request within 200 ms, and what is left when it stops before it leaves (ADR 0130).
 */
export class KafkaEventBus extends EventBus {
  private readonly kafka: Kafka;
  /** The client id every connection of this bus gives Kafka (with the eviction's tag, when on). */
  protected readonly clientId: string;
  protected readonly topics: TopicNamer;
  protected readonly logger: BusLogger;
  protected readonly publishTimeoutMs: number;
  private admin: Promise<Admin> | undefined;
  /** Partition count of every topic known to exist, by physical name. */
  protected readonly partitionCounts = new Map<string, number>();
  /** Logical topics known to exist with their dead-letter topics (and partition counts): ensured. */
  private readonly readyTopics = new Set<string>();
  /** Logical topics being ensured now, with the creation under way: one per topic at a time. */
  private readonly ensuring = new Map<string, Promise<void>>();
  private readonly lanes: ProducerLane[];
  /** kafkajs producers, one per lane, connected on first use. */
  private readonly producers: (Promise<Producer> | undefined)[];
  protected readonly subscriptions = new Set<SubscriptionHandle>();
  /** Admin requests under way: a stopped subscription stops waiting for them, not them. */
  private readonly adminWork = new Set<Promise<unknown>>();
  /** Consumer groups (physical names) of the running subscriptions, with how many use each. */
  private readonly groups = new Map<string, number>();
  protected readonly eviction: CrashedMemberEviction | undefined;
  /** Durable groups subscribed in this process, with their logical topics: whose lag is reported. */
  protected readonly durableGroups = new Map<string, ReadonlySet<string>>();
  private readonly stopObservingLag: () => void;
  protected closed = false;

  constructor(protected readonly options: KafkaEventBusOptions) {
    super();
    this.logger = options.logger ?? silentBusLogger;
    this.topics = new TopicNamer(options.topicPrefix ?? '');
    this.publishTimeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    const eviction = options.crashedMemberEviction;
    this.eviction =
      eviction === undefined
        ? undefined
        : new CrashedMemberEviction({
            databaseUrl: eviction.databaseUrl,
            intervalMs: eviction.intervalMs,
            logger: this.logger,
            groups: () => [...this.groups.keys()],
            describeGroups: async (groupIds) =>
              (await (await this.connectAdmin()).describeGroups([...groupIds])).groups,
            evict: (groupId, memberId) => removeGroupMember(this.kafka, groupId, memberId),
          });
    this.clientId = this.eviction ? this.eviction.clientId(options.clientId) : options.clientId;
    this.kafka = new Kafka({
      clientId: this.clientId,
      brokers: [...options.brokers],
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      logLevel: logLevel.INFO,
      logCreator: () => (entry) => this.logKafka(entry),
    });
    const laneCount = options.producerLanes ?? 1;
    this.producers = Array.from({ length: laneCount }, () => undefined);
    this.lanes = Array.from({ length: laneCount }, (_, index) => {
      const lane: ProducerLane = {
        index,
        queue: new GroupCommitQueue((items) => this.produce(lane.index, items), {
          maxItems: 10_000,
          maxWeight: MAX_PRODUCE_BYTES,
          weigh: (item) => item.value.length + item.key.length,
          // Half as many produce requests under load: the broker's CPU per event falls (ADR 0156).
          gatherSettledCallers: true,
          // A publish's deadline from its call, one timer per lane rather than one per publish.
          deadline: {
            ms: this.publishTimeoutMs,
            late: (count) => new EventBusUnavailableError(this.lateMessage(count)),
          },
        }),
      };
      return lane;
    });
    // Two admin requests per group and topic: asked at most every 15 s, whatever the scrape rate.
    this.stopObservingLag = observeLag(cachedLag(() => this.trackAdminWork(this.readLag()), 15_000, 2_000));
  }

  /**
   * On every publish of every webhook: once its topics are known, no `async` function on the way
   * (each would add promises and turns per event, ADR 0121), and no timer of its own: its lane's
   * queue rejects it once the deadline passed (ADR 0161).
   */
  protected override publishRouted(list: readonly OutgoingEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new EventBusUnavailableError('event bus is closed'));
    let durable: Promise<void>;
    try {
      // Known topics (every publish after a topic's first): no admin work, not even a promise.
      durable = list.every((e) => this.readyTopics.has(e.topic))
        ? this.enqueueOnLanes(list)
        : // One deadline for the whole publish (creating topics, waiting for a lane, producing): a
          // webhook must answer 503 before its provider gives up (Twilio waits 15 s).
          withTimeout(this.createTopicsThenEnqueue(list), this.publishTimeoutMs, () =>
            this.lateMessage(list.length),
          );
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what the serializer threw, as an async function would
      return Promise.reject(error);
    }
    return durable.then(() => countPublished(list));
  }

  private lateMessage(count: number): string {
    return `Kafka did not acknowledge ${count} event(s) within ${this.publishTimeoutMs} ms`;
  }

  private async createTopicsThenEnqueue(list: readonly OutgoingEvent[]): Promise<void> {
    try {
      await this.ensureTopics([...new Set(list.map((e) => e.topic))]);
    } catch (error) {
      throw new EventBusUnavailableError(`Kafka is unreachable: ${describeError(error)}`, { cause: error });
    }
    await this.enqueueOnLanes(list);
  }

  /** Serializes the events and queues each on its partition's lane; settles once all are durable. */
  private enqueueOnLanes(list: readonly OutgoingEvent[]): Promise<void> {
    // One event (most publishes): its lane's queue, nothing to group.
    if (list.length === 1) {
      const record = this.serialized(list[0]!);
      return this.laneOf(record).queue.enqueue([record]);
    }
    const byLane = new Map<ProducerLane, SerializedRecord[]>();
    for (const e of list) {
      const record = this.serialized(e);
      const lane = this.laneOf(record);
      let items = byLane.get(lane);
      if (items === undefined) byLane.set(lane, (items = []));
      items.push(record);
    }
    const flushes = [...byLane].map(([lane, items]) => lane.queue.enqueue(items));
    return flushes.length === 1 ? flushes[0]! : Promise.all(flushes).then(() => undefined);
  }

  /**
   * The event's record, its partition chosen here (Kafka's own partitioner) so that it picks the
   * lane: a key always goes through the same producer, and so stays in order.
   */
  private serialized(e: OutgoingEvent): SerializedRecord {
    const topic = this.topics.physical(e.topic);
    return {
      topic,
      partition: partitionForKey(e.key, this.partitionCounts.get(topic)!),
      key: e.key,
      value: JSON.stringify(e.event),
      headers: recordHeadersOf(e),
    };
  }

  private laneOf(record: SerializedRecord): ProducerLane {
    return this.lanes[record.partition % this.lanes.length]!;
  }

  override subscribe<D extends EventDefinition>(typed: SubscriptionSpec<D>): Promise<SubscriptionHandle> {
    // Decoding checks every event against `accepts`, so the handler only ever sees EventOf<D>.
    const spec = typed as unknown as SubscriptionSpec;
    // close() stops the subscriptions it finds: one started after that would run on unstopped.
    if (this.closed) return Promise.reject(new EventBusUnavailableError('event bus is closed'));
    const ephemeralStart: EphemeralStart | undefined = spec.ephemeral
      ? { at: Date.now(), offsets: undefined, committed: new Set() }
      : undefined;
    const controller = new AbortController();
    if (!spec.ephemeral) this.durableGroups.set(spec.groupId, new Set(spec.topics));
    const retry = resolveRetryPolicy(spec.retry);
    const maxBatch = spec.maxBatchSize ?? DEFAULT_MAX_BATCH;
    let consumer: Consumer | undefined;
    /** The current consumer's handled offsets, committed together (a consumer replaced drops its own). */
    let commits: DeferredCommits | undefined;
    let markAssigned: () => void = () => undefined;
    const assigned = new Promise<void>((resolve) => (markAssigned = resolve));
    const onConsumer = (c: Consumer) => {
      commits?.close();
      consumer = c;
      let owned = new Set<string>();
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        owned = new Set(
          Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
            partitions.map((p) => `${topic}:${p}`),
          ),
        );
        markAssigned();
      });
      const current = new DeferredCommits({
        delayMs: this.options.commitDelayMs ?? DEFAULT_COMMIT_DELAY_MS,
        owns: (topic, partition) => owned.has(`${topic}:${partition}`),
        commit: (offsets) => c.commitOffsets(offsets.map((o) => ({ ...o, offset: o.offset.toString() }))),
        committed: (offsets) => {
          for (const o of offsets) ephemeralStart?.committed.add(`${o.topic}:${o.partition}`);
        },
        failed: commitFailureReporter(this.logger, spec.groupId, controller.signal),
      });
      // kafkajs's commitOffsets() does nothing once its consumer stopped: never take that for a commit.
      c.on(c.events.CRASH, () => current.close());
      c.on(c.events.STOP, () => current.close());
      commits = current;
    };
    /**
     * One fetched batch, handled in chunks of `maxBatch`, each chunk's offsets left to be committed
     * once handled. `progress` is given when the batch was fetched ahead (ADR 0148): it is handled
     * after its `eachBatch` returned, so it leaves kafkajs's fetch position alone (later batches
     * have moved it on) and a lost heartbeat is kafkajs's own loop's to notice.
     */
    const handleFetched = async (payload: EachBatchPayload, progress?: BatchProgress) => {
      const { batch } = payload;
      const logicalTopic = this.topics.logical(batch.topic);
      const processor = new BatchProcessor({
        spec,
        retry,
        logger: this.logger,
        deadLetter: (letters) => this.publishDeadLetters(letters),
        heartbeat: () => payload.heartbeat(),
      });
      for (let start = 0; start < batch.messages.length; start += maxBatch) {
        if (!payload.isRunning() || payload.isStale() || controller.signal.aborted) return;
        const chunk = batch.messages.slice(start, start + maxBatch);
        const outcome = await processor.process(
          chunk.map((m) => ({
            topic: logicalTopic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key === null ? null : m.key.toString('utf8'),
            value: m.value,
            headers: m.headers,
          })),
          controller.signal,
        );
        if (outcome === 'aborted') return;
        const last = chunk[chunk.length - 1]!.offset;
        if (progress === undefined) payload.resolveOffset(last);
        else progress.unhandled = BigInt(last) + 1n;
        commits?.handled(batch.topic, batch.partition, BigInt(last) + 1n);
        if (!payload.isRunning() || controller.signal.aborted) {
          // Stopping: what this member handled is committed while it still is one (through the
          // batch's own call: the consumer's commitOffsets() no longer commits once it stops).
          await commits?.flush((offsets) => payload.commitOffsetsIfNecessary(byTopic(offsets)));
        }
        if (progress === undefined) await payload.heartbeat();
        else await payload.heartbeat().catch(() => undefined);
      }
    };
    const ahead =
      (spec.fetchAhead ?? this.options.fetchAhead ?? false)
        ? new FetchAhead({
            failed: (topic, partition, unhandled, error) => {
              this.logger.error(
                { groupId: spec.groupId, topic, partition, offset: unhandled, error: describeError(error) },
                'a batch fetched ahead failed; reading its partition again from its first unhandled offset',
              );
              try {
                consumer?.seek({ topic, partition, offset: unhandled.toString() });
              } catch (seekError) {
                // Not running any more: its successor starts from the last commit anyway.
                this.logger.warn({ groupId: spec.groupId, error: describeError(seekError) }, 'seek refused');
              }
            },
          })
        : undefined;
    const started = this.runConsumerUntilStopped(
      spec,
      ephemeralStart,
      controller.signal,
      onConsumer,
      ahead === undefined
        ? handleFetched
        : async (payload) => {
            const { batch } = payload;
            const last = batch.messages.at(-1)?.offset;
            if (last === undefined) return;
            // Resolves once the partition's previous batch is done; this one is handled meanwhile.
            await ahead.enqueue(
              {
                topic: batch.topic,
                partition: batch.partition,
                firstOffset: BigInt(batch.messages[0]!.offset),
              },
              (progress) => handleFetched(payload, progress),
            );
            // kafkajs fetches on from here; nothing is committed until the batch is handled.
            payload.resolveOffset(last);
          },
    );
    const handle: SubscriptionHandle = {
      assigned,
      stop: async () => {
        this.subscriptions.delete(handle);
        controller.abort();
        // What was handled is committed while the consumer is a member; disconnect() then waits
        // for the batch in flight, whose handler finishes and commits its own.
        // A batch fetched ahead is waited for as kafkajs waits for the one in its eachBatch.
        await ahead?.idle();
        // Bounded: with the broker away kafkajs retries a commit for about 10 s, and a stop must
        // not wait for it (what is not committed is delivered again).
        await withTimeout(commits?.flush() ?? Promise.resolve(), 5_000, 'offsets not committed').catch(
          () => undefined,
        );
        await consumer?.disconnect().catch((error: unknown) => {
          this.logger.warn({ error: describeError(error) }, 'consumer disconnect failed');
        });
        await started;
        if (spec.ephemeral) await this.deleteGroup(spec.groupId);
      },
    };
    this.subscriptions.add(handle);
    return Promise.resolve(handle);
  }

  override async checkHealth(): Promise<void> {
    const admin = await this.connectAdmin();
    await withTimeout(admin.describeCluster(), 3_000, 'Kafka did not answer a metadata request in time');
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopObservingLag();
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.eviction?.stop();
    await Promise.all(this.lanes.map((lane) => lane.queue.drain()));
    // Their retries end once they see the bus closed; nothing may run on after close().
    await Promise.allSettled([...this.adminWork]);
    await Promise.all([
      this.closeProducers(),
      this.admin?.then((a) => a.disconnect()).catch(() => undefined),
    ]);
  }

  /** Disconnects the producers once every lane has drained. */
  protected async closeProducers(): Promise<void> {
    const connected = this.producers.filter((p) => p !== undefined);
    await Promise.all(connected.map((p) => p.then((c) => c.disconnect()).catch(() => undefined)));
  }

  /**
   * Each durable group's lag on each partition of its topics: the partition's end offset (its high
   * watermark) less the group's committed offset, or less the partition's start when the group has
   * committed nothing there yet.
   */
  private async readLag(): Promise<PartitionLag[]> {
    if (this.durableGroups.size === 0) return [];
    const admin = await this.connectAdmin();
    const topics = new Set([...this.durableGroups.values()].flatMap((t) => [...t]));
    const ends = new Map<string, Map<number, { high: bigint; low: bigint }>>();
    for (const topic of topics) {
      const physical = this.topics.physical(topic);
      if (!this.partitionCounts.has(physical)) continue; // not created yet: nothing to lag behind
      const offsets = await admin.fetchTopicOffsets(physical);
      ends.set(
        topic,
        new Map(offsets.map((o) => [o.partition, { high: BigInt(o.high), low: BigInt(o.low) }])),
      );
    }
    const rows: PartitionLag[] = [];
    for (const [group, groupTopics] of this.durableGroups) {
      const known = [...groupTopics].filter((t) => ends.has(t));
      if (known.length === 0) continue;
      const committed = await admin.fetchOffsets({
        groupId: this.topics.physical(group),
        topics: known.map((t) => this.topics.physical(t)),
      });
      for (const { topic: physical, partitions } of committed) {
        const topic = this.topics.logical(physical);
        for (const { partition, offset } of partitions) {
          const end = ends.get(topic)?.get(partition);
          if (end === undefined) continue;
          const from = offset === '-1' ? end.low : BigInt(offset);
          rows.push({ group, topic, partition, lag: Math.max(0, Number(end.high - from)) });
        }
      }
    }
    return rows;
  }

  /**
   * Creates the topics (and their dead-letter topics) if absent, with the configured partitions.
   * Concurrent callers share one creation per topic: a burst of first publishes (webhooks arriving
   * as a process starts) asks the broker once, not once each.
   */
  ensureTopics(logicalTopics: readonly string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    const fresh: string[] = [];
    for (const topic of logicalTopics) {
      if (this.readyTopics.has(topic)) continue;
      const under = this.ensuring.get(topic);
      if (under === undefined) fresh.push(topic);
      else waits.push(under);
    }
    if (fresh.length > 0) {
      const creating = this.trackAdminWork(
        this.createMissingTopics(fresh).then(() => {
          for (const topic of fresh) this.readyTopics.add(topic);
        }),
      );
      const done = () => {
        for (const topic of fresh) if (this.ensuring.get(topic) === creating) this.ensuring.delete(topic);
      };
      creating.then(done, done);
      for (const topic of fresh) this.ensuring.set(topic, creating);
      waits.push(creating);
    }
    return waits.length === 1 ? waits[0]! : Promise.all(waits).then(() => undefined);
  }

  private async createMissingTopics(logicalTopics: readonly string[]): Promise<void> {
    const wanted = logicalTopics
      .flatMap((t) => (t.endsWith('.dlq') ? [t] : [t, deadLetterTopic(t)]))
      .map((t) => this.topics.physical(t))
      .filter((t) => !this.partitionCounts.has(t));
    if (wanted.length === 0) return;
    const admin = await this.connectAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      // Resolves false, without throwing, when another process created them meanwhile.
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.options.partitions,
            replicationFactor: this.options.replicationFactor,
          })),
        })
        .catch((error: unknown) => {
          // Made, but the broker asked for their leaders does not know them yet
          // (UNKNOWN_TOPIC_OR_PARTITION, seen on a loaded machine): kafkajs waits out only
          // LEADER_NOT_AVAILABLE there. Their metadata is asked for again below until known.
          if ((error as { retriable?: unknown }).retriable !== true) throw error;
        });
      this.logger.info({ topics: missing }, 'created topics');
    }
    const { topics } = await fetchMetadataOnceKnown(admin, wanted, () => this.closed);
    for (const topic of topics) this.partitionCounts.set(topic.name, topic.partitions.length);
  }

  private async produce(lane: number, items: readonly SerializedRecord[]): Promise<void> {
    try {
      await this.sendOnLane(lane, items);
    } catch (error) {
      throw error instanceof EventBusUnavailableError
        ? error
        : new EventBusUnavailableError(`could not publish to Kafka: ${describeError(error)}`, {
            cause: error,
          });
    }
  }

  /**
   * Sends one group-committed flush through lane `lane`'s producer, acknowledged by all in-sync
   * replicas; never two at once on a lane (its queue waits for this to settle).
   */
  protected async sendOnLane(lane: number, items: readonly SerializedRecord[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const item of items) {
      let entry = byTopic.get(item.topic);
      if (entry === undefined) byTopic.set(item.topic, (entry = { topic: item.topic, messages: [] }));
      entry.messages.push({
        key: item.key,
        value: item.value,
        partition: item.partition,
        headers: item.headers,
      });
    }
    await this.sendBatchOnLane(
      lane,
      [...byTopic.values()],
      () => `Kafka did not acknowledge ${items.length} event(s) within ${this.publishTimeoutMs} ms`,
    );
  }

  /**
   * One produce request through lane `lane`'s producer. A producer whose request failed is never
   * used again: the broker may have written that request (its answer lost, or our deadline
   * first), and kafkajs takes back the sequence numbers of a failed request, so the next batch of
   * as many records under the same producer id would carry the same ones, and the broker would
   * acknowledge it as a retry of the written one without writing it. The next request gets a new
   * producer (a new producer id); the old one is disconnected, which ends any retry it still runs.
   */
  private async sendBatchOnLane(
    lane: number,
    topicMessages: TopicMessages[],
    late: string | (() => string),
  ): Promise<void> {
    const connecting = this.connectProducer(lane);
    const used = this.producers[lane];
    const producer = await connecting;
    try {
      await withTimeout(producer.sendBatch({ acks: -1, topicMessages }), this.publishTimeoutMs, late);
    } catch (error) {
      if (this.producers[lane] === used) this.producers[lane] = undefined;
      // close() waits for it with the admin work: nothing runs on after close().
      void this.trackAdminWork(producer.disconnect().catch(() => undefined));
      throw error;
    }
  }

  /** Makes dead letters durable (acks=all) on their dead-letter topics; throws when it could not. */
  protected async publishDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const letter of letters) {
      const topic = this.topics.physical(deadLetterTopic(letter.record.topic));
      let entry = byTopic.get(topic);
      if (entry === undefined) {
        entry = { topic, messages: [] };
        byTopic.set(topic, entry);
      }
      entry.messages.push({
        key: letter.record.key,
        value: letter.record.value,
        headers: deadLetterHeaders(letter),
      });
    }
    // Dead letters are rare: the first lane carries them, in its own request.
    await this.sendBatchOnLane(0, [...byTopic.values()], 'Kafka did not acknowledge dead letters in time');
  }

  /**
   * Keeps one subscription's consumer running: connecting, joining and fetching, and starting over
   * when Kafka is away, until the subscription is stopped. A service therefore starts (and reports
   * not-ready) while Kafka is down, and catches up by itself when it returns.
   *
   * kafkajs retries a lost broker for a few seconds, keeping its place in the group, then gives up
   * ("crashes"). Its own restart would wait out an ever longer backoff and then join as a new
   * member, which the group holds back until the old member's session expires. Instead the crashed
   * consumer is replaced here: wait for the broker (asking every quarter second), remove the old
   * member, and join at once.
   */
  private async runConsumerUntilStopped(
    spec: SubscriptionSpec,
    start: EphemeralStart | undefined,
    signal: AbortSignal,
    onConsumer: (consumer: Consumer) => void,
    eachBatch: NonNullable<Parameters<Consumer['run']>[0]>['eachBatch'],
  ): Promise<void> {
    const groupId = this.topics.physical(spec.groupId);
    await this.asGroupMember(groupId, () =>
      this.runConsumer(spec, groupId, start, signal, onConsumer, eachBatch),
    );
  }

  /** Runs `work` with `groupId` (physical) among this process's groups, which eviction watches. */
  protected async asGroupMember(groupId: string, work: () => Promise<void>): Promise<void> {
    this.groups.set(groupId, (this.groups.get(groupId) ?? 0) + 1);
    try {
      await work();
    } finally {
      const users = (this.groups.get(groupId) ?? 1) - 1;
      if (users > 0) this.groups.set(groupId, users);
      else this.groups.delete(groupId);
    }
  }

  /** LeaveGroup on behalf of a member a lost consumer left behind (see runConsumerUntilStopped). */
  /**
   * Between a consumer's end and its next join: the broker reachable again, the old member removed
   * from its group (so its partitions move now, not at its session's end), then straight back after
   * losing the broker, or a backoff when a start failed with the broker up.
   */
  protected async beforeRejoin(
    logicalGroupId: string,
    groupId: string,
    memberId: string | undefined,
    attempt: number,
    signal: AbortSignal,
  ): Promise<void> {
    await this.waitForBroker(signal);
    if (memberId !== undefined) {
      await unlessAborted(this.removeMember(groupId, memberId), signal).catch((error: unknown) => {
        // Unknown member: its session ended, or it left in time. Either way it is gone.
        this.logger.debug({ groupId: logicalGroupId, error: describeError(error) }, 'old member not removed');
      });
    }
    if (attempt > 0) {
      await sleep(
        backoffDelayMs(resolveRetryPolicy({ initialBackoffMs: 500, maxBackoffMs: 10_000 }), attempt),
        signal,
      );
    }
  }

  protected removeMember(groupId: string, memberId: string): Promise<void> {
    return removeGroupMember(this.kafka, groupId, memberId);
  }

  private async runConsumer(
    spec: SubscriptionSpec,
    groupId: string,
    start: EphemeralStart | undefined,
    signal: AbortSignal,
    onConsumer: (consumer: Consumer) => void,
    eachBatch: NonNullable<Parameters<Consumer['run']>[0]>['eachBatch'],
  ): Promise<void> {
    let lostBroker = false;
    for (let attempt = 1; !signal.aborted; attempt += 1) {
      const consumer = this.kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
        heartbeatInterval:
          this.options.heartbeatIntervalMs ??
          Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
        rebalanceTimeout: this.options.rebalanceTimeoutMs ?? 60_000,
        minBytes: spec.fetchMinBytes ?? 1,
        maxWaitTimeInMs: 500,
        // Short waits between kafkajs's own retries: a broker back after a blip is seen within a
        // second. Never its restart: a crashed consumer is replaced by this loop.
        retry: {
          retries: 10,
          initialRetryTime: 300,
          maxRetryTime: 1_000,
          restartOnFailure: () => Promise.resolve(false),
        },
      });
      onConsumer(consumer);
      let memberId: string | undefined;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        memberId = payload.memberId;
        // Rare (a start, a rebalance), and what a failover's pause is made of: logged with times.
        this.logger.info(
          {
            groupId: spec.groupId,
            memberId: payload.memberId,
            joinMs: payload.duration,
            partitions: Object.values(payload.memberAssignment).reduce((n, p) => n + p.length, 0),
          },
          'consumer joined its group',
        );
      });
      consumer.on(consumer.events.REBALANCING, ({ payload }) =>
        this.logger.info({ groupId: spec.groupId, memberId: payload.memberId }, 'consumer group rebalancing'),
      );
      if (start) {
        // Run before the first fetch, which applies the seeks; later joins keep what was committed.
        consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
          for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
            for (const partition of partitions) {
              const key = `${topic}:${partition}`;
              const offset = start.offsets?.get(key);
              if (offset !== undefined && !start.committed.has(key))
                consumer.seek({ topic, partition, offset });
            }
          }
        });
      }
      // Every step can hang while Kafka is away: a stop must not wait for it. But a step that was
      // under way when the stop came still runs (a connect opens its sockets when it completes),
      // so the consumer is disconnected only after it settles.
      let inFlight: Promise<unknown> = Promise.resolve();
      const step = <T>(work: Promise<T>): Promise<T> => {
        inFlight = work.catch(() => undefined);
        return unlessAborted(work, signal);
      };
      try {
        await unlessAborted(this.ensureTopics(spec.topics), signal);
        if (start && !start.offsets) {
          start.offsets = await unlessAborted(this.trackAdminWork(this.offsetsAt(spec, start.at)), signal);
        }
        // Seen alive in PostgreSQL before joining: see CrashedMemberEviction.
        if (this.eviction) await unlessAborted(this.eviction.start(), signal);
        await step(consumer.connect());
        await step(
          consumer.subscribe({
            topics: spec.topics.map((t) => this.topics.physical(t)),
            fromBeginning: !start,
          }),
        );
        const crashed = new Promise<unknown>((resolve) => {
          consumer.on(consumer.events.CRASH, (event) => resolve((event.payload as { error: unknown }).error));
        });
        await step(
          consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
            eachBatch,
          }),
        );
        if (lostBroker) this.logger.info({ groupId: spec.groupId }, 'consumer back on the broker');
        else this.logger.info({ groupId: spec.groupId, topics: spec.topics }, 'consumer running');
        attempt = 0;
        lostBroker = false;
        const error = await Promise.race([crashed, whenAborted(signal)]);
        if (!signal.aborted) {
          // A coordinator still loading crashes a consumer too: that one is no outage.
          const description = describeError(error);
          lostBroker = kafkaErrorLevel(description) === 'warn';
          this.logger[kafkaErrorLevel(description)](
            { groupId: spec.groupId, error: description },
            'consumer stopped; starting over once the broker answers',
          );
        }
      } catch (error) {
        if (!signal.aborted) {
          const description = describeError(error);
          this.logger[kafkaErrorLevel(description)](
            { groupId: spec.groupId, error: description, attempt },
            'consumer could not start; retrying',
          );
        }
      }
      // kafkajs's own retries end a step within about 10 s with the policy above; never wait longer.
      await withTimeout(inFlight, 15_000, 'a consumer step did not settle').catch(() => undefined);
      await consumer.disconnect().catch(() => undefined);
      if (signal.aborted) return;
      await this.beforeRejoin(spec.groupId, groupId, memberId, attempt, signal);
    }
  }

  /** Resolves once a broker answers a metadata request (asking every 250 ms), or the signal aborts. */
  protected async waitForBroker(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // A fresh client each time: one that lost its connections backs off before it reconnects.
      const probe = this.kafka.admin({ retry: { retries: 0 } });
      try {
        await withTimeout(
          (async () => {
            await probe.connect();
            await probe.describeCluster();
          })(),
          2_000,
          'no answer',
        );
        return;
      } catch {
        await sleep(250, signal);
      } finally {
        await probe.disconnect().catch(() => undefined);
      }
    }
  }

  /**
   * Per partition, the first offset stamped at `at` or later (less the lookback), or the end of the
   * partition when there is none yet: where an ephemeral group starts.
   */
  protected async offsetsAt(spec: SubscriptionSpec, at: number): Promise<Map<string, string>> {
    const admin = await this.connectAdmin();
    const from = at - (this.options.ephemeralLookbackMs ?? 5_000);
    const offsets = new Map<string, string>();
    for (const topic of spec.topics.map((t) => this.topics.physical(t))) {
      for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(topic, from)) {
        offsets.set(`${topic}:${partition}`, offset);
      }
    }
    return offsets;
  }

  /** An ephemeral group is deleted once its member left: Kafka would keep its offsets for a week. */
  protected async deleteGroup(logicalGroupId: string): Promise<void> {
    const groupId = this.topics.physical(logicalGroupId);
    try {
      const admin = await this.connectAdmin();
      await withTimeout(admin.deleteGroups([groupId]), 5_000, 'Kafka did not delete the group in time');
    } catch (error) {
      // Kafka expires an empty group's offsets by itself (offsets.retention.minutes).
      this.logger.warn({ groupId: logicalGroupId, error: describeError(error) }, 'could not delete a group');
    }
  }

  private connectProducer(lane: number): Promise<Producer> {
    const connecting = (this.producers[lane] ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
      });
      await producer.connect();
      return producer;
    })());
    return connecting.catch((error: unknown) => {
      this.producers[lane] = undefined;
      throw error;
    });
  }

  protected trackAdminWork<T>(work: Promise<T>): Promise<T> {
    this.adminWork.add(work);
    const settled = () => this.adminWork.delete(work);
    work.then(settled, settled);
    return work;
  }

  private connectAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 } });
      await admin.connect();
      return admin;
    })();
    return this.admin.catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
  }

  private logKafka(entry: LogEntry): void {
    const { message, ...extra } = entry.log;
    // A bounded retry count is deliberate: a publish must fail fast enough for a webhook to answer 503.
    if (message.startsWith('Limiting retries for the idempotent producer')) return;
    this.logger[kafkaLogLevel(entry)]({ kafka: entry.namespace, ...extra }, message);
  }
}

/** Offsets as kafkajs's eachBatch commit takes them: by topic. */
function byTopic(offsets: readonly HandledOffset[]): {
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
} {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = []));
    partitions.push({ partition, offset: offset.toString() });
  }
  return { topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) };
}

/**
 * A topic just created (here or by another process) can be unknown to the broker's metadata for a
 * moment even after its leaders were elected: UNKNOWN_TOPIC_OR_PARTITION is retriable, so ask again
 * for a few seconds before reporting Kafka unreachable.
 */
async function fetchMetadataOnceKnown(
  admin: Admin,
  topics: string[],
  closed: () => boolean,
): Promise<Awaited<ReturnType<Admin['fetchTopicMetadata']>>> {
  const deadline = Date.now() + 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicMetadata({ topics });
    } catch (error) {
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || Date.now() > deadline || closed()) throw error;
      await sleep(Math.min(100 * attempt, 1_000));
    }
  }
}
