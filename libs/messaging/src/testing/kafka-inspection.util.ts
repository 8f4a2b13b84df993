import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { RawDeadLetter } from './event-bus.contract.js';

/** Reads a dead-letter topic from the start with plain kafkajs, as an operator's tool would. */
export async function readTopic(brokers: readonly string[], physicalTopic: string): Promise<RawDeadLetter[]> {
  const kafka = new Kafka({ clientId: 'dlq-reader', brokers: [...brokers], logLevel: logLevel.NOTHING });
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

export async function listGroups(brokers: readonly string[], prefix: string): Promise<string[]> {
  const admin = new Kafka({
    clientId: 'group-lister',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    return groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
}
