import { randomUUID } from 'node:crypto';
import { routingApiPort } from '@switchboard/contracts';
import { createTestDatabase, overInternalRpc, testRunId } from '@switchboard/testing';
import { describeRoutingApiContract } from '@switchboard/testing/contracts';
import { startRoutingInstance } from './routing-instance.util.js';

// The real routing service (real Kafka and PostgreSQL) held to the contract its callers' doubles
// meet (libs/testing/src/ports/in-memory-ports.spec.ts): in process, as the standalone composition
// calls it, and over internal RPC (TCP), as the inbox and the gRPC API call it when each app runs
// alone.
for (const transport of ['in process', 'over internal RPC'] as const) {
  describeRoutingApiContract(`routing service, ${transport}`, async () => {
    const database = await createTestDatabase('routing_contract');
    const instance = await startRoutingInstance({
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
      KAFKA_TOPIC_PREFIX: `${testRunId()}-routing-contract-${randomUUID().slice(0, 6)}.`,
      KAFKA_PARTITIONS: '2',
    });
    const remote =
      transport === 'over internal RPC' ? await overInternalRpc(routingApiPort, instance.api) : null;
    return {
      api: remote?.api ?? instance.api,
      close: async () => {
        await remote?.close();
        await instance.close();
        await database.drop();
      },
    };
  });
}
