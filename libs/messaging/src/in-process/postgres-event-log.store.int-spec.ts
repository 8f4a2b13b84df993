import { type TestDatabase, createTestDatabase } from '@switchboard/testing';
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
    await store.prune(0);
    expect((await store.read('p', 0, null, 10)).map((r) => r.value?.toString())).toEqual(['2', '3']);
    await store.close();
  });
});
