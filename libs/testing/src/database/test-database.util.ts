import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { settle } from '../async/wait-for.util.js';

export interface TestDatabase {
  /** Connection URL of the fresh database, for `DATABASE_URL`. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'sb_test_';
const MAX_IDENTIFIER_LENGTH = 63;

/** Per jest run; set by the global setup so a run's leftovers can be found and dropped together. */
export function testRunId(): string {
  return (process.env.SWITCHBOARD_TEST_RUN_ID ??= randomBytes(4).toString('hex'));
}

function adminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
}

function sanitize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * A fresh, empty database on the test PostgreSQL server (`TEST_DATABASE_ADMIN_URL`, by default
 * the local one), named `sb_test_<run>_<label>_<random>`: unique even when parallel test files
 * use the same label.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const suffix = randomBytes(3).toString('hex');
  const stem = `${PREFIX}${sanitize(testRunId())}_${sanitize(label)}`;
  const name = `${stem.slice(0, MAX_IDENTIFIER_LENGTH - suffix.length - 1)}_${suffix}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop: () => (dropped ??= withAdminClient((client) => dropDatabase(client, name))),
  };
}

/** Drops every database a test run created; for a global teardown after crashed tests. */
export async function dropTestDatabasesOfRun(runId: string = testRunId()): Promise<string[]> {
  return withAdminClient(async (client) => {
    const pattern = `${PREFIX}${sanitize(runId)}\\_%`;
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [pattern],
    );
    for (const { datname } of rows) await dropDatabase(client, datname);
    return rows.map((row) => row.datname);
  });
}

/** How long a drop waits for connections that are closing (a pool just ended) before it forces. */
const CLOSING_GRACE_MS = 1_000;

/**
 * Drops a database, closing whatever connections are still open on it, once those already closing
 * are gone. node-postgres's `Pool.end()` resolves before its sockets have closed: forced at once,
 * the drop terminated such a connection, and its client reported the server's "terminating
 * connection" to a pool that had no error listener any more, failing the test that had ended it.
 */
async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  const until = Date.now() + CLOSING_GRACE_MS;
  for (;;) {
    const { rows } = await client.query<{ open: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = $1) AS open',
      [name],
    );
    if (!rows[0]!.open || Date.now() >= until) break;
    await settle(25);
  }
  await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
