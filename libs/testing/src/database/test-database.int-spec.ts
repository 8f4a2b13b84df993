import pg from 'pg';
import { createTestDatabase, dropTestDatabasesOfRun, settle, testRunId } from '@switchboard/testing';

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates an empty database named after the run and label, and drops it even with open connections', async () => {
    const database = await createTestDatabase('Orders & Things');
    expect(database.name).toMatch(/^sb_test_[a-z0-9_]+_orders_things_[0-9a-f]{6}$/);
    expect(database.name).toContain(testRunId().toLowerCase());

    const [row] = await query<{ db: string }>(database.url, 'SELECT current_database() AS db');
    expect(row?.db).toBe(database.name);

    const lingering = new pg.Client({ connectionString: database.url });
    await lingering.connect();
    lingering.on('error', () => undefined); // terminated by the drop, as intended
    await database.drop();
    await database.drop(); // idempotent

    const remaining = await query(
      process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [database.name],
    );
    expect(remaining).toHaveLength(0);
    await lingering.end().catch(() => undefined);
  });

  it('gives two databases with the same label different names', async () => {
    const [a, b] = await Promise.all([createTestDatabase('same'), createTestDatabase('same')]);
    expect(a.name).not.toBe(b.name);
    await Promise.all([a.drop(), b.drop()]);
  });

  it('keeps names within PostgreSQL’s 63-character limit', async () => {
    const database = await createTestDatabase('x'.repeat(100));
    expect(database.name.length).toBeLessThanOrEqual(63);
    await database.drop();
  });

  it('drops what a run left behind', async () => {
    const runId = `leftover${Date.now().toString(36)}`;
    const previous = process.env.SWITCHBOARD_TEST_RUN_ID;
    process.env.SWITCHBOARD_TEST_RUN_ID = runId;
    try {
      const database = await createTestDatabase('crashed');
      expect(await dropTestDatabasesOfRun(runId)).toEqual([database.name]);
    } finally {
      process.env.SWITCHBOARD_TEST_RUN_ID = previous;
    }
  });

  it('waits for the connections a pool is still closing before it forces the drop', async () => {
    const database = await createTestDatabase('closing');
    /** A client whose connection takes a while to close, as on a loaded machine. */
    class SlowToClose extends pg.Client {
      override end(): Promise<void>;
      override end(callback: (error: Error) => void): void;
      override end(callback?: (error: Error) => void): Promise<void> | void {
        const ended = new Promise<void>((resolve) => setTimeout(resolve, 200)).then(() => super.end());
        if (callback === undefined) return ended;
        ended.then(() => callback(undefined as unknown as Error), callback);
      }
    }
    const pool = new pg.Pool({ connectionString: database.url, max: 2, Client: SlowToClose });
    await Promise.all([pool.query('SELECT pg_sleep(0.05)'), pool.query('SELECT pg_sleep(0.05)')]);
    const errors: unknown[] = [];
    pool.on('error', (error) => errors.push(error));
    // node-postgres resolves this once its clients are told to end, before their sockets close.
    await pool.end();
    await database.drop();
    await settle(500);
    expect(errors).toEqual([]);
  });
});
