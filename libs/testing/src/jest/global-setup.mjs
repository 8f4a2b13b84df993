// @ts-check
/**
 * Jest global setup: real components for the whole run, started once in jest's main process.
 * Workers are forked after this runs, so what it puts in process.env reaches every test file.
 *
 * - SWITCHBOARD_TEST_RUN_ID: a short id unique to this run; tests build their topic prefixes and
 *   database names from it, so runs (and leftovers of earlier runs) never collide.
 * - KAFKA_BROKERS: when unset, a fresh single-node broker from deploy/local/kafka; teardown stops
 *   it. When set, that broker is used and left alone.
 * - TEST_DATABASE_ADMIN_URL: when DATABASE_URL is unset and the local PostgreSQL server answers;
 *   otherwise left for the embedded-postgres fallback.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import process from 'node:process';
import pg from 'pg';
// deploy/ holds plain-JS scripts that sit outside the @switchboard/* aliases.
// eslint-disable-next-line no-restricted-imports
import { startBroker } from '../../../../deploy/local/kafka/kafka-broker.mjs';

export const LOCAL_POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Shared with global-teardown.mjs, which jest runs in this same process. */
export const BROKER_KEY = Symbol.for('switchboard.testing.kafkaBroker');
export const POSTGRES_KEY = Symbol.for('switchboard.testing.postgres');

export default async function globalSetup() {
  process.env.SWITCHBOARD_TEST_RUN_ID = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

  const [broker, postgres] = await Promise.all([
    process.env.KAFKA_BROKERS ? undefined : startBroker(),
    process.env.TEST_DATABASE_ADMIN_URL ? undefined : choosePostgres(),
  ]);
  if (postgres) /** @type {Record<symbol, unknown>} */ (globalThis)[POSTGRES_KEY] = postgres;
  if (broker) {
    /** @type {Record<symbol, unknown>} */ (globalThis)[BROKER_KEY] = broker;
    process.env.KAFKA_BROKERS = broker.brokers;
  }
}

/**
 * Where test databases are created: DATABASE_URL's server when set, else the local server on
 * 127.0.0.1:5432, else an embedded PostgreSQL for this run (also when
 * SWITCHBOARD_TEST_POSTGRES=embedded), stopped by the teardown.
 */
async function choosePostgres() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_ADMIN_URL = process.env.DATABASE_URL;
    return undefined;
  }
  if (process.env.SWITCHBOARD_TEST_POSTGRES !== 'embedded' && (await answers(LOCAL_POSTGRES_ADMIN_URL))) {
    process.env.TEST_DATABASE_ADMIN_URL = LOCAL_POSTGRES_ADMIN_URL;
    return undefined;
  }
  return startEmbeddedForRun();
}

/** @param {string} url */
async function answers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startEmbeddedForRun() {
  // The platform's launcher (root-safe, stale-lock-safe) as built by `npm test`'s pretest.
  const entry = path.resolve('dist/libs/platform/src/database/embedded-postgres.util.js');
  if (!existsSync(entry)) {
    throw new Error(
      `No PostgreSQL on 127.0.0.1:5432 and ${entry} is missing: run \`npm run build\` (npm test does).`,
    );
  }
  const { startEmbeddedPostgres } = await import(pathToFileURL(entry).href);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-test-pg-'));
  // As root, PostgreSQL runs as the postgres user, which must be able to enter the directory.
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir });
  process.env.TEST_DATABASE_ADMIN_URL = server.url;
  return {
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
