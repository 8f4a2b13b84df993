import { randomUUID } from 'node:crypto';
import { KafkaEventBus } from '@switchboard/messaging';
import { testRunId } from '../database/test-database.util.js';

/** Topics of a test's own on the shared broker, and a bus of the test's on them. */
export interface TestKafka {
  readonly topicPrefix: string;
  /** What points an app process at these topics: `KAFKA_BROKERS`, `KAFKA_TOPIC_PREFIX`, `KAFKA_PARTITIONS` (2). */
  readonly env: Readonly<Record<string, string>>;
  /** The test's bus on the same topics, to emit what another service would and to observe. */
  readonly bus: KafkaEventBus;
}

/**
 * A fresh topic prefix (`<run>.<name>-<random>.`) on the broker of `KAFKA_BROKERS`, two partitions
 * a topic. The bus connects when first used; close it with `bus.close()`.
 */
export function testKafka(name: string): TestKafka {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const topicPrefix = `${testRunId()}.${name}-${randomUUID().slice(0, 8)}.`;
  return {
    topicPrefix,
    env: { KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix, KAFKA_PARTITIONS: '2' },
    bus: new KafkaEventBus({
      brokers,
      clientId: `${name}-e2e`,
      topicPrefix,
      partitions: 2,
      replicationFactor: 1,
    }),
  };
}
