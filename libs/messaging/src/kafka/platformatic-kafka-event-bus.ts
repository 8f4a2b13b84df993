import { type EventDefinition, deadLetterTopic } from '@switchboard/contracts';
import { Consumer, type MessagesStream, Producer } from '@platformatic/kafka';
import { BatchProcessor } from '../consumer/batch-processor.js';
import { DeferredCommits, commitFailureReporter } from '../consumer/deferred-commits.js';
import { type DeadLetter, type RawRecord, deadLetterHeaders, describeError } from '../dead-letter.js';
import { EventBusUnavailableError, type SubscriptionHandle, type SubscriptionSpec } from '../event-bus.js';
import { partitionForKey } from '../partitioner.util.js';
import { resolveRetryPolicy, unlessAborted, whenAborted } from '../retry-policy.js';
import {
  DEFAULT_COMMIT_DELAY_MS,
  type EphemeralStart,
  KafkaEventBus,
  type SerializedRecord,
} from './kafka-event-bus.js';
import { readFetchResponsesHere } from './fetch-response.js';
import { type FetchedPartition, rawRecordsOf, tapFetchedRecords } from './fetched-records.js';
import { PartitionQueues } from './partition-queues.js';
import { encodeProduceRequestsHere, keptAsString } from './produce-request.js';
import { withTimeout } from './with-timeout.util.js';

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

type LaneProducer = Producer<string, string, Buffer, Buffer>;

const DEFAULT_MAX_BATCH = 500;
/** Records fetched and waiting to be handled, all partitions of a subscription together. */
const MAX_WAITING = 5_000;

/**
 * The event log on Kafka through @platformatic/kafka for what runs per event (producing, fetching,
 * committing), with the same semantics as `KafkaEventBus`, whose topic administration, lag
 * reporting, ephemeral starts, crashed-member eviction and broker probing it shares (ADR 0006).
 *
 * Producer: one idempotent producer per lane (acks=all, one request in flight), fed by the same
 * group-commit queues; a lane whose request failed gets a new producer (a new producer id), so a
 * later flush never reuses the sequence numbers of one the broker may have written.
 * Consumers: one consumer per subscription; the records of each fetch, read from the response's
 * bytes (ADR 0170) and taken from its batches (ADR 0168), are queued per partition and handled in
 * batches, in order, several partitions at once; a batch's offset is committed once it is handled
 * (or dead-lettered), never before, with the other partitions' in one request within 200 ms
 * (ADR 0130); nothing is committed automatically.
 */
export class PlatformaticKafkaEventBus extends KafkaEventBus {
  private readonly laneProducers: (LaneProducer | undefined)[] = [];

  override subscribe<D extends EventDefinition>(typed: SubscriptionSpec<D>): Promise<SubscriptionHandle> {
    // Decoding checks every event against `accepts`, so the handler only ever sees EventOf<D>.
    const spec = typed as unknown as SubscriptionSpec;
    if (this.closed) return Promise.reject(new EventBusUnavailableError('event bus is closed'));
    const start: EphemeralStart | undefined = spec.ephemeral
      ? { at: Date.now(), offsets: undefined, committed: new Set() }
      : undefined;
    const controller = new AbortController();
    if (!spec.ephemeral) this.durableGroups.set(spec.groupId, new Set(spec.topics));
    let markAssigned: () => void = () => undefined;
    const assigned = new Promise<void>((resolve) => (markAssigned = resolve));
    const groupId = this.topics.physical(spec.groupId);
    const started = this.asGroupMember(groupId, () =>
      this.runStream(spec, groupId, start, controller.signal, () => markAssigned()),
    );
    const handle: SubscriptionHandle = {
      assigned,
      stop: async () => {
        this.subscriptions.delete(handle);
        // The consumer loop lets the batch in flight finish and commit, then leaves the group.
        controller.abort();
        await started;
        if (spec.ephemeral) await this.deleteGroup(spec.groupId);
      },
    };
    this.subscriptions.add(handle);
    return Promise.resolve(handle);
  }

  protected override async sendOnLane(lane: number, items: readonly SerializedRecord[]): Promise<void> {
    const producer = this.producer(lane);
    try {
      await withTimeout(
        // Copied into the client's own message objects: handing it our records as they are cost
        // 39.1 µs per event published and handled instead of 28.9 in bench:bus (ADR 0146).
        producer.send({
          messages: items.map((item) => ({
            topic: item.topic,
            partition: item.partition,
            key: item.key,
            value: item.value,
            headers: encodedHeaders(item.headers),
          })),
        }),
        this.publishTimeoutMs,
        () => `Kafka did not acknowledge ${items.length} event(s) within ${this.publishTimeoutMs} ms`,
      );
    } catch (error) {
      // The request may have been written: the next flush must not reuse its sequence numbers
      // under the same producer id (the broker would take it for a retry of this one and drop it).
      this.laneProducers[lane] = undefined;
      void closeForcibly(producer).catch(() => undefined);
      throw error;
    }
  }

  protected override async publishDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    const items = letters.map((letter): SerializedRecord => {
      const topic = this.topics.physical(deadLetterTopic(letter.record.topic));
      const key = letter.record.key ?? '';
      return {
        topic,
        // Created with its topic (ensureTopics), so its partition count is known.
        partition: partitionForKey(key, this.partitionCounts.get(topic) ?? 1),
        key,
        value: letter.record.value?.toString('utf8') ?? '',
        headers: deadLetterHeaders(letter),
      };
    });
    // Dead letters are rare: the first lane carries them, in its own request.
    await this.sendOnLane(0, items);
  }

  protected override async closeProducers(): Promise<void> {
    const producers = this.laneProducers.splice(0).filter((p) => p !== undefined);
    await Promise.all(producers.map((p) => closeForcibly(p).catch(() => undefined)));
  }

  private producer(lane: number): LaneProducer {
    let producer = this.laneProducers[lane];
    if (producer === undefined) {
      producer = new Producer({
        clientId: this.clientId,
        bootstrapBrokers: [...this.options.brokers],
        idempotent: true,
        acks: -1,
        autocreateTopics: false,
        // Bounded (an idempotent producer defaults to unbounded): the publish deadline is 5 s.
        retries: 5,
        retryDelay: 100,
        connectTimeout: 3_000,
        timeout: 10_000,
        // Keys and values are encoded into the request itself (encodeProduceRequestsHere); headers
        // arrive encoded (encodedHeaders): the client writes their bytes as they are.
        serializers: {
          key: keptAsString,
          value: keptAsString,
          headerKey: asEncoded,
          headerValue: asEncoded,
        },
      });
      encodeProduceRequestsHere(producer);
      this.laneProducers[lane] = producer;
    }
    return producer;
  }

  /**
   * Keeps one subscription's consumer running until it is stopped, as `KafkaEventBus` does its
   * kafkajs consumer: a stream that failed (the broker went away) is replaced once the broker
   * answers, the old member removed from the group so that the new one is not held back.
   */
  private async runStream(
    spec: SubscriptionSpec,
    groupId: string,
    start: EphemeralStart | undefined,
    signal: AbortSignal,
    onJoined: () => void,
  ): Promise<void> {
    const retry = resolveRetryPolicy(spec.retry);
    const maxBatch = spec.maxBatchSize ?? DEFAULT_MAX_BATCH;
    const physicalTopics = spec.topics.map((t) => this.topics.physical(t));
    /** An ephemeral group's own commits, by `topic:partition`: where it resumes after a restart. */
    const resumeAt = new Map<string, bigint>();
    let lostBroker = false;
    for (let attempt = 1; !signal.aborted; attempt += 1) {
      const consumer = new Consumer({
        clientId: this.clientId,
        bootstrapBrokers: [...this.options.brokers],
        groupId,
        sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
        heartbeatInterval:
          this.options.heartbeatIntervalMs ??
          Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
        rebalanceTimeout: this.options.rebalanceTimeoutMs ?? 60_000,
        autocommit: false,
        // kafkajs's name for the round-robin assignor first: a group joined by members of both
        // clients (a replica not yet moved to KAFKA_CLIENT=platformatic, a rolling switch of the
        // default) agrees on it, where @platformatic/kafka's own name alone would leave every new
        // member refused (INCONSISTENT_GROUP_PROTOCOL) until the last kafkajs one left. Both
        // clients encode the same standard subscription and assignment; the leader's assigns.
        protocols: [
          { name: 'RoundRobinAssigner', version: 0 },
          { name: 'roundrobin', version: 1 },
        ],
        maxWaitTime: 500,
        connectTimeout: 3_000,
        timeout: 10_000,
        retries: 10,
        retryDelay: 300,
      });
      let stream: Stream | undefined;
      /** Where each fetch's records go: the queues, once the stream flows (it fetches only then). */
      let fetched = (_: FetchedPartition): void => {
        stream?.destroy(new Error('records were fetched before there was anywhere to queue them'));
      };
      readFetchResponsesHere(consumer);
      tapFetchedRecords(consumer, (partition) => fetched(partition));
      let memberId: string | undefined;
      let owned = new Set<string>();
      // A failed rejoin is reported as an 'error' event: it must not throw from the emitter.
      const failed = new Promise<unknown>((resolve) => consumer.on('error', resolve));
      consumer.on('consumer:group:join', (payload) => {
        memberId = payload.memberId;
        owned = new Set(
          (payload.assignments ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)),
        );
        this.logger.info(
          { groupId: spec.groupId, memberId: payload.memberId, partitions: owned.size },
          'consumer joined its group',
        );
        onJoined();
      });
      consumer.on('consumer:group:rebalance', () =>
        this.logger.info({ groupId: spec.groupId, memberId }, 'consumer group rebalancing'),
      );
      const commits = new DeferredCommits({
        delayMs: this.options.commitDelayMs ?? DEFAULT_COMMIT_DELAY_MS,
        owns: (topic, partition) => owned.has(`${topic}:${partition}`),
        commit: (offsets) => consumer.commit({ offsets: offsets.map((o) => ({ ...o, leaderEpoch: -1 })) }),
        committed: (offsets) => {
          if (start) for (const o of offsets) resumeAt.set(`${o.topic}:${o.partition}`, o.offset);
        },
        failed: commitFailureReporter(this.logger, spec.groupId, signal),
      });
      let consuming: Promise<Stream> | undefined;
      let queues: PartitionQueues<RawRecord> | undefined;
      try {
        await unlessAborted(this.ensureTopics(spec.topics), signal);
        if (start && !start.offsets) {
          start.offsets = await unlessAborted(this.trackAdminWork(this.offsetsAt(spec, start.at)), signal);
        }
        // Seen alive in PostgreSQL before joining: see CrashedMemberEviction.
        if (this.eviction) await unlessAborted(this.eviction.start(), signal);
        consuming = consumer.consume({
          topics: physicalTopics,
          autocommit: false,
          minBytes: spec.fetchMinBytes ?? 1,
          maxWaitTime: 500,
          ...(start
            ? // An ephemeral group is its one member's: it starts where it subscribed, then where it got to.
              {
                mode: 'manual' as const,
                offsets: [...(start.offsets ?? new Map<string, string>())].map(([key, offset]) => {
                  const at = key.lastIndexOf(':');
                  return {
                    topic: key.slice(0, at),
                    partition: Number(key.slice(at + 1)),
                    offset: resumeAt.get(key) ?? BigInt(offset),
                  };
                }),
              }
            : { mode: 'committed' as const, fallbackMode: 'earliest' as const }),
        });
        // A stop during the join: the stream, once there, is closed below.
        void consuming
          .then((s) => {
            stream = s;
            s.on('error', () => undefined);
          })
          .catch(() => undefined);
        const current = await unlessAborted(consuming, signal);
        stream = current;
        const processor = new BatchProcessor({
          spec,
          retry,
          logger: this.logger,
          deadLetter: (letters) => this.publishDeadLetters(letters),
        });
        queues = new PartitionQueues<RawRecord>({
          concurrency: this.options.partitionsConsumedConcurrently ?? 4,
          maxBatch,
          maxWaiting: MAX_WAITING,
          pause: () => current.pause(),
          resume: () => current.resume(),
          owns: (topic, partition) => owned.has(`${topic}:${partition}`),
          handle: async (topic, partition, records) => {
            const outcome = await processor.process(records, signal);
            if (outcome === 'aborted') return false;
            commits.handled(topic, partition, BigInt(records[records.length - 1]!.offset) + 1n);
            return true;
          },
        });
        const queued = queues;
        fetched = (partition) => {
          // Stopping: nothing more is started; what was fetched is delivered again later.
          if (signal.aborted) return;
          const records = rawRecordsOf(partition, this.topics.logical(partition.topic));
          queued.add(partition.topic, partition.partition, records);
        };
        const ended = new Promise<unknown>((resolve) => {
          current.on('error', resolve);
          current.on('close', () => resolve(new Error('the stream of records closed')));
        });
        // The stream must flow to fetch; its records reach the queues from the tap, not through it.
        current.on('data', () =>
          current.destroy(new Error('a record reached the stream: its fetches are no longer tapped')),
        );
        if (lostBroker) this.logger.info({ groupId: spec.groupId }, 'consumer back on the broker');
        else this.logger.info({ groupId: spec.groupId, topics: spec.topics }, 'consumer running');
        attempt = 0;
        lostBroker = false;
        const error = await Promise.race([ended, failed, whenAborted(signal)]);
        if (!signal.aborted) {
          lostBroker = true;
          this.logger.warn(
            { groupId: spec.groupId, error: describeError(error) },
            'consumer stopped; starting over once the broker answers',
          );
        }
      } catch (error) {
        if (!signal.aborted) {
          this.logger.warn(
            { groupId: spec.groupId, error: describeError(error), attempt },
            'consumer could not start; retrying',
          );
        }
      }
      // What waits was never committed: the next member (or this one, restarted) delivers it again.
      // The batch in flight finishes and commits first.
      queues?.clear();
      await withTimeout(queues?.idle() ?? Promise.resolve(), 15_000, 'a batch did not finish').catch(
        () => undefined,
      );
      // A stop commits what was handled while the consumer is still a member: nothing of it is
      // delivered again. A consumer that failed (the broker gone) commits nothing more.
      if (signal.aborted) {
        await withTimeout(commits.flush(), 5_000, 'the last offsets were not committed').catch(
          () => undefined,
        );
      }
      commits.close();
      await withTimeout(
        (async () => {
          // A consumer closed under a stream still starting would fail that start: let it start.
          await consuming?.catch(() => undefined);
          await stream?.close();
          await closeForcibly(consumer);
        })(),
        15_000,
        'the consumer did not close',
      ).catch(() => closeForcibly(consumer).catch(() => undefined));
      if (signal.aborted) return;
      await this.beforeRejoin(spec.groupId, groupId, memberId, attempt, signal);
    }
  }
}

/**
 * Records' headers as the client's Map of bytes, built here rather than by the client from our
 * object with its string serializers (a Map, an array of entries and two buffers per header per
 * record). A frozen headers object (recordHeadersOf's, shared by every untraced record of a type)
 * cannot change, so its encoding is kept with it and every record of the type reuses it; the
 * client only reads it (ADR 0153). Header names are a handful: encoded once each.
 */
const encodedFrozen = new WeakMap<object, Map<Buffer, Buffer>>();
const encodedNames = new Map<string, Buffer>();
const ENCODED_NAMES_LIMIT = 1_024;

function encodedHeaders(headers: Readonly<Record<string, string>>): Map<Buffer, Buffer> {
  let encoded = encodedFrozen.get(headers);
  if (encoded !== undefined) return encoded;
  encoded = new Map();
  for (const [name, value] of Object.entries(headers))
    encoded.set(encodedName(name), Buffer.from(value, 'utf8'));
  if (Object.isFrozen(headers)) encodedFrozen.set(headers, encoded);
  return encoded;
}

function encodedName(name: string): Buffer {
  let bytes = encodedNames.get(name);
  if (bytes === undefined) {
    bytes = Buffer.from(name, 'utf8');
    // Past the bound (names nobody foresaw), each is encoded anew.
    if (encodedNames.size < ENCODED_NAMES_LIMIT) encodedNames.set(name, bytes);
  }
  return bytes;
}

/** Header bytes from encodedHeaders, written as they are. */
function asEncoded(bytes?: Buffer): Buffer | undefined {
  return bytes;
}

/** Closes a client, and with it any stream it still has open (a producer's or a consumer's). */
function closeForcibly(client: {
  close(force: boolean, callback: (error?: Error | null) => void): void;
}): Promise<void> {
  return new Promise((resolve, reject) => client.close(true, (error) => (error ? reject(error) : resolve())));
}
