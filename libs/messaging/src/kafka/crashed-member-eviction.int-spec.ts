import { randomBytes, randomUUID } from 'node:crypto';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import {
  type TestDatabase,
  createTestDatabase,
  inboundMessageEvent,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { LIVENESS_APPLICATION_PREFIX } from './crashed-member-eviction.js';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka-event-bus.js';
import { PlatformaticKafkaEventBus } from './platformatic-kafka-event-bus.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const SESSION_TIMEOUT_MS = 30_000;

/**
 * The dead replica is a kafkajs consumer whichever client the survivor runs, so the group holds
 * members of both clients when the survivor is @platformatic/kafka's: they agree on kafkajs's
 * assignor name (`RoundRobinAssigner`). Before they did (2026-12-06), the broker refused that
 * survivor's every join (INCONSISTENT_GROUP_PROTOCOL) and the spec waited for it past 120 s.
 */
const adapters: [string, (options: KafkaEventBusOptions) => KafkaEventBus][] = [
  ['kafkajs', (options) => new KafkaEventBus(options)],
  ['@platformatic/kafka', (options) => new PlatformaticKafkaEventBus(options)],
];

/**
 * A replica whose process died (ADR 0092): its PostgreSQL session closed, but Kafka still counts
 * it in the group until its session times out (30 s here). The surviving replica's bus evicts it
 * as soon as the session is gone, and takes its partitions well before those 30 s.
 *
 * The dead replica is played by a plain kafkajs consumer whose handler never returns (so it sends
 * no heartbeat and never leaves, as after kill -9) and a PostgreSQL session named as a bus names
 * its own, closed to play the process's end. Both adapters share the eviction code (ADR 0006);
 * each listed adapter is the survivor in turn.
 */
describe.each(adapters)(
  'the Kafka event bus (%s): members of a crashed process are evicted at once',
  (_name, openBus) => {
    const prefix = `${testRunId()}.evict-${randomUUID().slice(0, 8)}.`;
    let database: TestDatabase;
    let survivor: KafkaEventBus | undefined;
    let victim: Consumer | undefined;
    let victimSession: pg.Client | undefined;
    let release: () => void = () => undefined;

    beforeAll(async () => {
      database = await createTestDatabase('evict');
    });

    afterAll(async () => {
      release();
      await victim?.disconnect().catch(() => undefined);
      await victimSession?.end().catch(() => undefined);
      await survivor?.close();
      await database?.drop();
    }, 60_000);

    it("hands a dead member's partitions to the survivor long before the session timeout", async () => {
      const options = {
        brokers,
        topicPrefix: prefix,
        partitions: 4,
        replicationFactor: 1,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: 1_000,
        rebalanceTimeoutMs: SESSION_TIMEOUT_MS,
      };
      const groupId = 'evict-group';
      survivor = openBus({
        ...options,
        clientId: 'survivor',
        crashedMemberEviction: { databaseUrl: database.url, intervalMs: 200 },
      });
      await survivor.ensureTopics([Topics.inbound]);

      // The replica that will die: alive in PostgreSQL and in the group, with all partitions first.
      const tag = randomBytes(8).toString('hex');
      victimSession = new pg.Client({
        connectionString: database.url,
        application_name: `${LIVENESS_APPLICATION_PREFIX}${tag}`,
      });
      await victimSession.connect();
      victim = new Kafka({ clientId: `victim.${tag}`, brokers, logLevel: logLevel.NOTHING }).consumer({
        groupId: `${prefix}${groupId}`,
        sessionTimeout: SESSION_TIMEOUT_MS,
        rebalanceTimeout: SESSION_TIMEOUT_MS,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 200,
      });
      let victimPartitions = 0;
      victim.on(victim.events.GROUP_JOIN, ({ payload }) => {
        victimPartitions = Object.values(payload.memberAssignment).reduce((n, p) => n + p.length, 0);
      });
      await victim.connect();
      await victim.subscribe({ topic: `${prefix}${Topics.inbound}`, fromBeginning: true });
      const stuck = new Promise<void>((resolve) => (release = resolve));
      await victim.run({
        autoCommit: false,
        // Its first batch never ends: no heartbeat, no commit, no leaving, as after kill -9. (The
        // topic is empty until it is frozen.)
        eachBatch: () => stuck,
      });
      await waitFor(() => victimPartitions === 4, { timeoutMs: 60_000, what: 'victim owns the partitions' });

      const handled = new Set<string>();
      const subscription = await survivor.subscribe({
        groupId,
        topics: [Topics.inbound],
        accepts: [InboundMessageReceivedV1],
        handleBatch: (batch) => {
          for (const { event } of batch) handled.add(event.id);
          return Promise.resolve();
        },
      });
      await subscription.assigned;
      await waitFor(() => victimPartitions === 2, { timeoutMs: 60_000, what: 'the partitions shared' });
      // A sweep sees the victim alive before it dies.
      await new Promise((r) => setTimeout(r, 1_000));

      // Forty senders, so forty keys: every partition gets some.
      const all = Array.from({ length: 40 }, (_, i) =>
        inboundMessageEvent({
          sender: { kind: 'phone', address: `+155500001${String(i).padStart(2, '0')}`, verified: true },
        }),
      );
      await survivor.emit(all);
      await waitFor(() => handled.size > 0, { timeoutMs: 20_000, what: 'the survivor handles its share' });
      expect(handled.size).toBeLessThan(all.length);

      // The process ends: its PostgreSQL session closes; Kafka still holds its partitions for it.
      const diedAt = Date.now();
      await victimSession.end();
      await waitFor(() => handled.size === all.length, {
        timeoutMs: SESSION_TIMEOUT_MS - 5_000,
        intervalMs: 100,
        what: "every event, the dead member's partitions included",
      });
      const movedMs = Date.now() - diedAt;
      expect(movedMs).toBeLessThan(SESSION_TIMEOUT_MS / 2);
    }, 120_000);
  },
);
