import { randomUUID } from 'node:crypto';
import { Topics } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  inboundMessageEvent,
  startAppProcess,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

/**
 * Issue #2's end-to-end proof, on the real broker and database: the channel side publishes inbound
 * messages, a real history process consumes them, is SIGKILLed while a batch is provably in flight,
 * and comes back; finally every event is delivered again from offset zero. Each message is stored
 * exactly once throughout.
 */
describe('inbound messages reach history exactly once, across a crash and a full replay', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const topicPrefix = `${testRunId()}.e2e-${randomUUID().slice(0, 8)}.`;
  const groupId = `${topicPrefix}history.inbound`;
  let database: TestDatabase;
  let db: pg.Pool;
  let channelSide: KafkaEventBus;
  const processes: AppProcess[] = [];

  const startHistory = async () => {
    const app = await startAppProcess('history', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '4',
      // A killed consumer's partitions move on after this, rather than the default 30 s.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    });
    processes.push(app);
    await app.waitUntilReady(60_000);
    return app;
  };
  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
  const storedMessages = () => count('SELECT count(*) AS n FROM history.messages');
  const distinctProviderIds = () =>
    count('SELECT count(DISTINCT (channel_account_id, provider_message_id)) AS n FROM history.messages');

  /** True when the group has committed up to the end of every partition: nothing left to deliver. */
  const caughtUp = async () => {
    const kafka = new Kafka({ clientId: 'lag-probe', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = topicPrefix + Topics.inbound;
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      return ends.every((end) => {
        const c = committed!.partitions.find((p) => p.partition === end.partition);
        return c !== undefined && Number(c.offset) >= Number(end.high);
      });
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('history_e2e');
    db = new pg.Pool({ connectionString: database.url, max: 3 });
    channelSide = new KafkaEventBus({
      brokers,
      clientId: 'channel-side',
      topicPrefix,
      partitions: 4,
      replicationFactor: 1,
    });
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await channelSide.close();
    await db.end();
    await database.drop();
  });

  // Three app starts, each joining three consumer groups, and a dead member's session to expire: minutes on a shared 2-core box.
  it('stores each message once', async () => {
    const senders = Array.from({ length: 40 }, (_, i) => `+1555000${String(i).padStart(4, '0')}`);
    const publish = (events: ReturnType<typeof inboundMessageEvent>[]) => channelSide.emit(events);
    const messages = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        inboundMessageEvent({
          sender: { kind: 'phone', address: senders[i % senders.length]!, verified: true },
        }),
      );

    // 1. A first wave goes through a healthy history service.
    const first = await startHistory();
    const wave1 = messages(1_000);
    await publish(wave1);
    await waitFor(async () => (await storedMessages()) === 1_000, {
      what: 'the first wave stored',
      timeoutMs: 30_000,
    });

    // 2. Hold the table so that the next batch blocks inside its write (the messages' INSERT, with
    //    the outbox row's), then kill -9 the process.
    const locker = await db.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE history.messages IN EXCLUSIVE MODE');
    const wave2 = messages(2_000);
    // Providers retry: 300 of them arrive a second time, as new events with the same provider id.
    const retries = wave2
      .slice(0, 300)
      .map((e) => inboundMessageEvent({ ...e.payload, workspaceId: e.workspaceId }));
    await publish(wave2);
    await publish(retries);
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND query LIKE '%INSERT INTO history.messages%'`,
        )) > 0,
      { what: "history's INSERT blocked mid-batch" },
    );
    expect(await first.stop('SIGKILL')).toBeNull();
    await locker.query('ROLLBACK');
    locker.release();
    expect(await storedMessages()).toBe(1_000);
    expect(await caughtUp()).toBe(false);

    // 3. A new process picks up the uncommitted batch (delivered again) and the rest.
    const second = await startHistory();
    await waitFor(async () => (await storedMessages()) === 3_000 && (await caughtUp()), {
      what: 'all 3,000 messages stored and committed after the crash',
      timeoutMs: 60_000,
    });
    expect(await distinctProviderIds()).toBe(3_000);
    expect(await second.stop('SIGTERM')).toBe(0);

    // 4. Replay everything from the start: all 3,300 events are delivered again; nothing changes.
    const kafka = new Kafka({ clientId: 'rewind', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId, topic: topicPrefix + Topics.inbound, earliest: true });
    await admin.disconnect();
    expect(await caughtUp()).toBe(false);
    const third = await startHistory();
    await waitFor(caughtUp, { what: 'the replay consumed to the end', timeoutMs: 60_000 });
    expect(await storedMessages()).toBe(3_000);
    expect(await distinctProviderIds()).toBe(3_000);
    expect(await third.stop('SIGTERM')).toBe(0);
  }, 180_000);
});
