import pg from 'pg';
import { createTestDatabase, waitFor, type TestDatabase } from '@switchboard/testing';
import { postgresMeter } from './postgres-meter.js';

/** bench:e2e's PostgreSQL meter on the real server: who used it, and what was written where. */
describe('postgresMeter', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('postgres_meter');
  });

  afterAll(async () => {
    await database?.drop();
  });

  const connect = async (applicationName: string) => {
    const client = new pg.Client({ connectionString: database.url, application_name: applicationName });
    await client.connect();
    return client;
  };

  it('labels backends by application_name and type, and counts rows, HOT updates and indexes by table', async () => {
    const setup = await connect('meter test: setup');
    await setup.query(
      'CREATE TABLE counted (id int PRIMARY KEY, keyed int NOT NULL, note text) WITH (fillfactor = 50)',
    );
    await setup.query('CREATE INDEX counted_keyed ON counted (keyed)');
    await setup.end();
    const idle = await connect('meter test: idle:0123456789abcdef');
    const meter = await postgresMeter(database.url);
    try {
      await meter.start();
      const writer = await connect('meter test: writer');
      const pid = (await writer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await writer.query('INSERT INTO counted SELECT n, n, NULL FROM generate_series(1, 10) n');
      await writer.query('UPDATE counted SET note = $1 WHERE id <= 4', ['no indexed column']);
      await writer.query('UPDATE counted SET keyed = keyed + 100 WHERE id > 8');
      await writer.query('DELETE FROM counted WHERE id = 1');
      // A backend's counts reach the server's statistics at the latest when it ends.
      await writer.end();
      await waitFor(
        async () => (await idle.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0,
        { what: 'the writer backend gone' },
      );
      const use = await meter.take();
      expect(use.tables.get('public.counted')).toEqual({
        inserted: 10,
        updated: 6,
        hotUpdated: 4,
        deleted: 1,
        indexes: 2,
      });
      expect(use.transactions).toBeGreaterThanOrEqual(5);
      expect(use.walRecords).toBeGreaterThan(0);
      expect(use.walBytes).toBeGreaterThan(0);
      const labels = [...use.cpu.keys()];
      expect(labels).toEqual(
        expect.arrayContaining([
          'client: meter test: idle:(each process)',
          'client: bench: postgres meter',
          'walwriter',
          'checkpointer',
        ]),
      );
      expect([...use.cpu.values()].every((seconds) => seconds >= 0)).toBe(true);
    } finally {
      await meter.close();
      await idle.end();
    }
  });
});
