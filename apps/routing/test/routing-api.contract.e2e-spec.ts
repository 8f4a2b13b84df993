import { randomUUID } from 'node:crypto';
import { createTestDatabase, testRunId } from '@switchboard/testing';
import { describeRoutingApiContract } from '@switchboard/testing/contracts';
import { startRoutingInstance } from './routing-instance.util.js';

// The real routing service (real Kafka and PostgreSQL) held to the contract its callers' doubles
// meet (libs/testing/src/ports/in-memory-ports.spec.ts).
describeRoutingApiContract('routing service', async () => {
  const database = await createTestDatabase('routing_contract');
  const instance = await startRoutingInstance({
    DATABASE_URL: database.url,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
    KAFKA_TOPIC_PREFIX: `${testRunId()}-routing-contract-${randomUUID().slice(0, 6)}.`,
    KAFKA_PARTITIONS: '2',
  });
  return {
    api: instance.api,
    close: async () => {
      await instance.close();
      await database.drop();
    },
  };
});
