import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { type TestDatabase, createTestDatabase, inboundMessageEvent, waitFor } from '@switchboard/testing';
import pg from 'pg';
import { describeEventBusContract } from '../testing/event-bus.contract.js';
import { readInProcessDeadLetters } from '../testing/in-process-dead-letters.util.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { PostgresEventLogStore } from './postgres-event-log.store.js';

const DAY_MS = 24 * 60 * 60_000;

describeEventBusContract('in-process on PostgreSQL', async () => {
  const database: TestDatabase = await createTestDatabase('bus_contract');
  const stores: PostgresEventLogStore[] = [];
  const open = async () => {
    const store = new PostgresEventLogStore({ connectionString: database.url, poolSize: 3 });
    await store.init();
    stores.push(store);
    return new InProcessEventBus(store, { partitions: 4, retentionMs: DAY_MS, groupRetentionMs: 7 * DAY_MS });
  };
  const reader = new PostgresEventLogStore({ connectionString: database.url, poolSize: 1 });
  return {
    bus: await open(),
    reopen: open,
    deadLetters: (topic: string) => readInProcessDeadLetters(reader, topic, 4),
    groups: () => reader.groups(),
    dispose: async () => {
      await reader.close();
      await database.drop();
    },
  };
});

describe('PostgresEventLogStore', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('bus_store');
  });
  afterAll(() => database.drop());

  it('keeps records and offsets across a restart, and migrates once', async () => {
    const first = new PostgresEventLogStore({ connectionString: database.url });
    await first.init();
    await first.append([
      { topic: 't', partition: 0, key: 'k', value: Buffer.from('{"a":1}'), headers: null },
    ]);
    const [record] = await first.read('t', 0, null, 10);
    await first.commit('g', 't', 0, record!.offset);
    await first.close();

    const second = new PostgresEventLogStore({ connectionString: database.url });
    await second.init();
    expect(await second.committed('g', 't', 0)).toBe(record!.offset);
    expect((await second.read('t', 0, null, 10)).map((r) => r.value?.toString())).toEqual(['{"a":1}']);
    await second.close();
  });

  it('prunes only what every group has processed', async () => {
    const store = new PostgresEventLogStore({ connectionString: database.url });
    await store.init();
    await store.append(
      ['1', '2', '3'].map((v) => ({
        topic: 'p',
        partition: 0,
        key: null,
        value: Buffer.from(v),
        headers: null,
      })),
    );
    const records = await store.read('p', 0, null, 10);
    await store.commit('fast', 'p', 0, records[2]!.offset);
    await store.commit('slow', 'p', 0, records[0]!.offset);
    // A topic no durable group reads (an ephemeral one's): its records go by age alone.
    await store.append([
      { topic: 'live-only', partition: 0, key: null, value: Buffer.from('x'), headers: null },
    ]);
    await store.prune(60_000, 100);
    expect(await store.read('live-only', 0, null, 10)).toHaveLength(1);
    await store.prune(0, 100);
    expect((await store.read('p', 0, null, 10)).map((r) => r.value?.toString())).toEqual(['2', '3']);
    expect(await store.read('live-only', 0, null, 10)).toEqual([]);
    await store.close();
  });

  it('forgets groups not seen for the retention, and then prunes past them', async () => {
    const store = new PostgresEventLogStore({ connectionString: database.url });
    await store.init();
    await store.append(
      ['1', '2'].map((v) => ({ topic: 'q', partition: 0, key: null, value: Buffer.from(v), headers: null })),
    );
    const records = await store.read('q', 0, null, 10);
    await store.commit('running', 'q', 0, records[1]!.offset);
    // A replica's group from before a restart: its position would hold the log back for ever.
    await store.commit('gone', 'q', 0, records[0]!.offset);
    await store.commit('idle-but-running', 'q', 0, records[0]!.offset);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(
      `UPDATE bus.consumer_offsets SET updated_at = now() - interval '8 days'
       WHERE group_id IN ('gone', 'idle-but-running')`,
    );
    await admin.end();

    const week = 7 * 24 * 60 * 60_000;
    expect(await store.forgetIdleGroups(['idle-but-running'], week)).toBe(1);
    const groups = await store.groups();
    expect(groups).toEqual(expect.arrayContaining(['idle-but-running', 'running']));
    expect(groups).not.toContain('gone');
    await store.prune(0, 100);
    expect((await store.read('q', 0, null, 10)).map((r) => r.value?.toString())).toEqual(['2']);
    // Seen now: a week from now it is still kept.
    expect(await store.forgetIdleGroups([], week)).toBe(0);
    await store.close();
  });
});

describe('PostgresEventLogStore storage', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('bus_storage');
  });
  afterAll(() => database.drop());

  it('moves a log of the first schema to lean rows, records and offsets kept', async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // The log as version 1 of the schema left it.
    await admin.query(`
      CREATE SCHEMA old_bus;
      CREATE TABLE old_bus.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO old_bus.schema_migrations (version) VALUES (1);
      CREATE TABLE old_bus.records ("offset" bigserial PRIMARY KEY, topic text NOT NULL, partition integer NOT NULL,
        key text, value bytea, headers jsonb, appended_at timestamptz NOT NULL DEFAULT now());
      CREATE INDEX records_topic_partition_offset ON old_bus.records (topic, partition, "offset");
      CREATE TABLE old_bus.consumer_offsets (group_id text NOT NULL, topic text NOT NULL, partition integer NOT NULL,
        "offset" bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (group_id, topic, partition));
      INSERT INTO old_bus.records (topic, partition, key, value) VALUES ('a', 0, 'k', 'one'), ('b', 1, NULL, 'two');`);
    await admin.end();

    const store = new PostgresEventLogStore({ connectionString: database.url, schema: 'old_bus' });
    await store.init();
    expect((await store.read('a', 0, null, 10)).map((r) => [r.offset, r.value?.toString()])).toEqual([
      ['1', 'one'],
    ]);
    expect((await store.read('b', 1, null, 10)).map((r) => [r.offset, r.value?.toString()])).toEqual([
      ['2', 'two'],
    ]);
    await store.append([{ topic: 'a', partition: 0, key: null, value: Buffer.from('three'), headers: null }]);
    expect((await store.read('a', 0, '1', 10)).map((r) => [r.offset, r.value?.toString()])).toEqual([
      ['3', 'three'],
    ]);
    await store.close();
  });

  it('prunes in batches of at most the limit, oldest first', async () => {
    const store = new PostgresEventLogStore({ connectionString: database.url });
    await store.init();
    await store.append(
      ['1', '2', '3', '4', '5'].map((v) => ({
        topic: 'batched',
        partition: 0,
        key: null,
        value: Buffer.from(v),
        headers: null,
      })),
    );
    const records = await store.read('batched', 0, null, 10);
    await store.commit('g', 'batched', 0, records[4]!.offset);
    expect(await store.prune(0, 2)).toBe(2);
    expect((await store.read('batched', 0, null, 10)).map((r) => r.value?.toString())).toEqual([
      '3',
      '4',
      '5',
    ]);
    expect(await store.prune(0, 2)).toBe(2);
    expect(await store.prune(0, 2)).toBe(1);
    expect(await store.prune(0, 2)).toBe(0);
    await store.close();
  });

  it('keeps a row lean: beside its key and value, a few dozen bytes', async () => {
    const store = new PostgresEventLogStore({ connectionString: database.url });
    await store.init();
    await store.append(
      Array.from({ length: 100 }, (_, i) => ({
        topic: 'switchboard.conversations',
        partition: i % 8,
        key: '00000000-0000-4000-8000-000000000001',
        value: Buffer.from(JSON.stringify({ i })),
        headers: null,
      })),
    );
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const { rows } = await admin.query<{ overhead: number }>(
      `SELECT avg(pg_column_size(r.*) - octet_length(value) - octet_length(key))::int AS overhead
       FROM bus.records r`,
    );
    await admin.end();
    // The row's header and position; the topic's name is not repeated on every row and index entry.
    expect(rows[0]!.overhead).toBeLessThanOrEqual(56);
    await store.close();
  });
});

describe('InProcessEventBus retention', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('bus_retention');
  });
  afterAll(() => database.drop());

  it('prunes what every group processed once it passes the retention, continuously, in small batches', async () => {
    const store = new PostgresEventLogStore({ connectionString: database.url });
    await store.init();
    const bus = new InProcessEventBus(store, {
      partitions: 2,
      retentionMs: 1_000,
      groupRetentionMs: 60_000,
      pruneEveryMs: 200,
      pruneBatchSize: 10,
    });
    const seen: string[] = [];
    await bus.subscribe({
      groupId: 'retention',
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1],
      handleBatch: (batch) => Promise.resolve(void seen.push(...batch.map((c) => c.event.id))),
    });
    // Forty-five senders: the records spread over the partitions.
    const events = Array.from({ length: 45 }, (_, i) =>
      inboundMessageEvent({
        sender: { kind: 'phone', address: `+155500000${String(i).padStart(2, '0')}`, verified: true },
      }),
    );
    await bus.emit(events);
    await waitFor(() => seen.length === events.length, { what: 'every event handled' });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const count = async () => Number((await admin.query('SELECT count(*) FROM bus.records')).rows[0].count);
    expect(await count()).toBe(events.length);
    await waitFor(async () => (await count()) === 0, {
      what: 'the processed records pruned',
      timeoutMs: 15_000,
    });
    await admin.end();
    await bus.close();
  });
});
