import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InboundMessageReceivedV1, Topics, deadLetterTopic } from '@switchboard/contracts';
import { testRunId } from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import { type RawDeadLetter, describeEventBusContract } from '../testing/event-bus.contract.js';
import { KafkaEventBus } from './kafka-event-bus.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

/** Reads a dead-letter topic from the start with plain kafkajs, as an operator's tool would. */
async function readTopic(physicalTopic: string): Promise<RawDeadLetter[]> {
  const kafka = new Kafka({ clientId: 'dlq-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(physicalTopic).catch(() => []);
    const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    if (total === 0) return [];
    const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
    const letters: RawDeadLetter[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: physicalTopic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          letters.push({
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
          });
          if (letters.length >= total) resolve();
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    return letters;
  } finally {
    await admin.disconnect();
  }
}

async function listGroups(prefix: string): Promise<string[]> {
  const admin = new Kafka({ clientId: 'group-lister', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    return groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
}

describeEventBusContract('Kafka', () => {
  // Each test gets its own topics and groups on the shared broker.
  const topicPrefix = `${testRunId()}.${randomUUID().slice(0, 8)}.`;
  const open = () =>
    new KafkaEventBus({
      brokers,
      clientId: 'contract-test',
      topicPrefix,
      partitions: 4,
      replicationFactor: 1,
      // One host, one clock: place ephemeral groups exactly at their subscription.
      ephemeralLookbackMs: 0,
    });
  return Promise.resolve({
    bus: open(),
    reopen: () => Promise.resolve(open()),
    deadLetters: (topic: string) => readTopic(topicPrefix + deadLetterTopic(topic)),
    groups: () => listGroups(topicPrefix),
    dispose: () => Promise.resolve(),
  });
});

describe('KafkaEventBus stopped while a consumer starts', () => {
  const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

  it('leaves no broker connection behind after close, however early the stop comes', async () => {
    const topicPrefix = `${testRunId()}.${randomUUID().slice(0, 8)}.`;
    const before = openSockets();
    // Stops land before, during and after the consumer's connect, subscribe and run.
    for (const stopAfterMs of [0, 2, 5, 10, 20, 40, 80, 160, 320]) {
      const bus = new KafkaEventBus({
        brokers,
        clientId: 'early-stop',
        topicPrefix,
        partitions: 1,
        replicationFactor: 1,
      });
      const handle = await bus.subscribe({
        groupId: `group-${randomUUID()}`,
        topics: [Topics.inbound],
        accepts: [InboundMessageReceivedV1],
        handleBatch: () => Promise.resolve(),
      });
      await sleep(stopAfterMs);
      await handle.stop();
      await bus.close();
    }
    // A connect left running would open its socket after close() returned.
    await sleep(2_000);
    expect(openSockets()).toBe(before);
  });
});
