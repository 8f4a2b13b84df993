import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, startAppProcess, testRunId } from '@switchboard/testing';
import pg from 'pg';

/**
 * `npm start` as a newcomer meets it: no DATABASE_URL, no KAFKA_BROKERS, an empty data directory.
 * It becomes healthy and ready, drains on SIGTERM, and its data survives a restart.
 */
describe('standalone, embedded', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-standalone-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the directory.
    await chmod(dataDir, 0o755);
  });

  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('starts from nothing, stops cleanly, and keeps its data', async () => {
    const env = { SWITCHBOARD_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    const first = await startAppProcess('standalone', env);
    await first.waitUntilReady(60_000);
    expect(await (await fetch(`${first.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = (await (await fetch(`${first.url}/readyz`)).json()) as {
      checks: Record<string, { status: string }>;
    };
    expect(Object.keys(ready.checks).sort()).toEqual([
      'database:api',
      'database:bot',
      'database:channels',
      'database:channels_social',
      'database:channels_web',
      'database:history',
      'database:inbox',
      'database:reporting',
      'database:routing',
      'event-bus',
    ]);
    expect(first.output()).toContain('Switchboard is running');
    expect(first.output()).toContain('in-process (kept in PostgreSQL)');
    // A newcomer can chat as a customer at once: the demo page embeds the default workspace's widget.
    const demo = await (await fetch(`${first.url}/demo`)).text();
    expect(demo).toMatch(/<script async src="\/widget.js" data-workspace="wk_[\w-]+"><\/script>/);
    expect((await fetch(`${first.url}/widget.js`)).status).toBe(200);

    // Something to find again: a row in the embedded database.
    const password = (await readFile(join(dataDir, 'postgres', 'password'), 'utf8')).trim();
    const port = /"port":(\d+)/.exec(first.output())?.[1];
    const url = (p: string) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${p}/switchboard`;
    const db = new pg.Client({ connectionString: url(port!) });
    await db.connect();
    // A table of the test's own: what survives is the data directory, whatever the services' schemas.
    await db.query('CREATE TABLE public.kept_across_restart (text text NOT NULL)');
    await db.query("INSERT INTO public.kept_across_restart (text) VALUES ('kept')");
    const applied = (await db.query('SELECT name FROM history.migrations')).rowCount;
    await db.end();

    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toContain('embedded PostgreSQL stopped');

    const second = await startAppProcess('standalone', env);
    await second.waitUntilReady(60_000);
    const secondPort = /"port":(\d+)/.exec(second.output())?.[1];
    const again = new pg.Client({ connectionString: url(secondPort!) });
    await again.connect();
    const { rows } = await again.query<{ text: string }>('SELECT text FROM public.kept_across_restart');
    const migrations = await again.query('SELECT name FROM history.migrations');
    await again.end();
    expect(rows).toEqual([{ text: 'kept' }]);
    // Nothing migrated twice: the restart found every migration applied.
    expect(migrations.rowCount).toBe(applied);
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});

describe('standalone on Kafka and an external database', () => {
  // SIGTERM arrives while its consumer is still joining the group: it must still stop at once.
  it('uses KAFKA_BROKERS and DATABASE_URL when they are set', async () => {
    const database = await createTestDatabase('standalone_kafka');
    const app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: `${testRunId()}.standalone.`,
      LOG_LEVEL: 'info',
    });
    try {
      await app.waitUntilReady(60_000);
      expect(app.output()).toContain(`Kafka at ${process.env.KAFKA_BROKERS}`);
      expect(app.output()).not.toContain('embedded PostgreSQL');
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
      await database.drop();
    }
  });
});
