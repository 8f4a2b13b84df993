// @ts-check
/** Jest global teardown: stops the Kafka broker that global-setup.mjs started, and only that one. */
import process from 'node:process';
import { BROKER_KEY, POSTGRES_KEY } from './global-setup.mjs';

export default async function globalTeardown() {
  const store = /** @type {Record<symbol, { stop(): Promise<void> } | undefined>} */ (globalThis);
  const postgres = store[POSTGRES_KEY];
  if (postgres) {
    delete store[POSTGRES_KEY];
    delete process.env.TEST_DATABASE_ADMIN_URL;
    await postgres.stop();
  }
  const broker = store[BROKER_KEY];
  if (!broker) return;
  delete store[BROKER_KEY];
  // In watch mode the next run's setup must start a new broker, not reuse this stopped one.
  delete process.env.KAFKA_BROKERS;
  await broker.stop();
}
