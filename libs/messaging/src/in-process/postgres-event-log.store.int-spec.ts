import { type TestDatabase, createTestDatabase } from '@switchboard/testing';
import pg from 'pg';
import { describeEventBusContract } from '../testing/event-bus.contract.js';
import { readInProcessDeadLetters } from '../testing/in-process-dead-letters.util.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { PostgresEventLogStore } from './postgres-event-log.store.js';

describeEventBusContract('in-process on PostgreSQL', async () => {
  const database: TestDatabase = await createTestDatabase('bus_contract');
  const stores: PostgresEventLogStore[] = [];
  const open = async () => {
    const store = new PostgresEventLogStore({ connectionString: database.url, poolSize: 3 });
    await store.init();
    stores.push(store);
    return new InProcessEventBus(store, { partitions: 4 });
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
    await store.prune(60_000);
    expect(await store.read('live-only', 0, null, 10)).toHaveLength(1);
    await store.prune(0);
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
    await store.prune(0);
    expect((await store.read('q', 0, null, 10)).map((r) => r.value?.toString())).toEqual(['2']);
    // Seen now: a week from now it is still kept.
    expect(await store.forgetIdleGroups([], week)).toBe(0);
    await store.close();
  });
});
