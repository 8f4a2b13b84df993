import { randomUUID } from 'node:crypto';
import { KafkaEventBus } from '@switchboard/messaging';
import { Kafka, logLevel } from 'kafkajs';
import { testRunId } from '../database/test-database.util.js';

/** Topics of a test's own on the shared broker, and a bus of the test's on them. */
export interface TestKafka {
  readonly topicPrefix: string;
  /** What points an app process at these topics: `KAFKA_BROKERS`, `KAFKA_TOPIC_PREFIX`, `KAFKA_PARTITIONS` (2). */
  readonly env: Readonly<Record<string, string>>;
  /** The test's bus on the same topics, to emit what another service would and to observe. */
  readonly bus: KafkaEventBus;
}

/** The brokers of `KAFKA_BROKERS` (jest's global setup sets it). */
export function testKafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '').split(',');
}

/**
 * A fresh topic prefix (`<run>.<name>-<random>.`) on the broker of `KAFKA_BROKERS`, two partitions
 * a topic. The bus connects when first used; close it with `bus.close()`.
 */
export function testKafka(name: string): TestKafka {
  const brokers = testKafkaBrokers();
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

/**
 * True when consumer group `groupId` has committed to the end of every partition of `topic` that
 * holds anything (both named as on the broker, prefix included): it has consumed all that was
 * published so far.
 */
export async function groupCaughtUp(
  groupId: string,
  topic: string,
  brokers: readonly string[] = testKafkaBrokers(),
): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'lag-probe',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    return ends.every((end) => {
      const c = committed!.partitions.find((p) => p.partition === end.partition);
      return Number(end.high) === 0 || (c !== undefined && Number(c.offset) >= Number(end.high));
    });
  } finally {
    await admin.disconnect();
  }
}
