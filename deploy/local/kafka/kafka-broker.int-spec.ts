import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';

// The broker comes from libs/testing's jest global setup (or an outside KAFKA_BROKERS).
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const runId = process.env.SWITCHBOARD_TEST_RUN_ID ?? `local${Date.now().toString(36)}`;

describe('local Kafka broker (deploy/local/kafka)', () => {
  const kafka = new Kafka({ clientId: `${runId}-kafka-smoke`, brokers, logLevel: logLevel.NOTHING });
  let admin: Admin;

  beforeAll(async () => {
    expect(brokers).not.toHaveLength(0);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
  });

  it('creates a topic, produces one message and consumes it back', async () => {
    const topic = `${runId}.kafka-broker-smoke`;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    });

    const value = randomUUID();
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ key: 'smoke', value }] });
    } finally {
      await producer.disconnect();
    }

    const consumer = kafka.consumer({ groupId: `${runId}.kafka-broker-smoke` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key?: string; value?: string }>((resolve) => {
        void consumer.run({
          eachMessage: ({ message }) => {
            resolve({ key: message.key?.toString(), value: message.value?.toString() });
            return Promise.resolve();
          },
        });
      });
      await expect(received).resolves.toEqual({ key: 'smoke', value });
    } finally {
      await consumer.disconnect();
    }
  });

  it('does not create topics on first use', async () => {
    const topic = `${runId}.kafka-broker-no-auto-create`;
    const producer = kafka.producer({
      allowAutoTopicCreation: true,
      retry: { retries: 0 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow();
    } finally {
      await producer.disconnect();
    }
    expect(await admin.listTopics()).not.toContain(topic);
  });
});
