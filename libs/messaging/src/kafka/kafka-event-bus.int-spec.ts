import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InboundMessageReceivedV1, Topics, deadLetterTopic, eventKey } from '@switchboard/contracts';
import { inboundMessageEvent, testRunId, waitFor } from '@switchboard/testing';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { describeEventBusContract } from '../testing/event-bus.contract.js';
import { listGroups, readTopic } from '../testing/kafka-inspection.util.js';
import { EVENT_TYPE_HEADER } from '../record-headers.js';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka-event-bus.js';
import { PlatformaticKafkaEventBus } from './platformatic-kafka-event-bus.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

/** Both Kafka clients behind the one port (ADR 0006) answer the same contract on the real broker. */
const adapters: readonly { name: string; open: (options: KafkaEventBusOptions) => KafkaEventBus }[] = [
  { name: 'kafkajs', open: (options) => new KafkaEventBus(options) },
  // Each partition's next batch fetched while the last is handled (ADR 0148): the same contract.
  { name: 'kafkajs, fetching ahead', open: (options) => new KafkaEventBus({ ...options, fetchAhead: true }) },
  { name: '@platformatic/kafka', open: (options) => new PlatformaticKafkaEventBus(options) },
];

for (const adapter of adapters) {
  describeEventBusContract(`Kafka through ${adapter.name}`, () => {
    // Each test gets its own topics and groups on the shared broker.
    const topicPrefix = `${testRunId()}.${randomUUID().slice(0, 8)}.`;
    const open = () =>
      adapter.open({
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
      deadLetters: (topic: string) => readTopic(brokers, topicPrefix + deadLetterTopic(topic)),
      groups: () => listGroups(brokers, topicPrefix),
      dispose: () => Promise.resolve(),
    });
  });

  describe(`Kafka through ${adapter.name}, records another producer wrote`, () => {
    it('delivers compressed and uncompressed batches alike, in order, with or without the type header', async () => {
      const topicPrefix = `${testRunId()}.${randomUUID().slice(0, 8)}.`;
      const bus = adapter.open({
        brokers,
        clientId: 'other-writer',
        topicPrefix,
        partitions: 1,
        replicationFactor: 1,
      });
      const handled: string[] = [];
      const handle = await bus.subscribe({
        groupId: `group-${randomUUID()}`,
        topics: [Topics.inbound],
        accepts: [InboundMessageReceivedV1],
        handleBatch: (batch) => {
          for (const { event } of batch) handled.push(event.payload.text ?? '');
          return Promise.resolve();
        },
      });
      await handle.assigned;
      const producer = new Kafka({
        clientId: 'other-writer',
        brokers: [...brokers],
        logLevel: logLevel.NOTHING,
      }).producer();
      await producer.connect();
      const record = (text: string, typed: boolean) => ({
        key: 'sender',
        value: JSON.stringify(inboundMessageEvent({ text })),
        headers: typed
          ? { [EVENT_TYPE_HEADER]: eventKey(InboundMessageReceivedV1.type, InboundMessageReceivedV1.version) }
          : {},
      });
      try {
        // A gzip batch (the client's reader reads it), then an uncompressed one (read from the bytes).
        await producer.send({
          topic: topicPrefix + Topics.inbound,
          compression: CompressionTypes.GZIP,
          messages: [record('zipped 1', true), record('zipped 2', false), record('zipped 3 ünïcødé', true)],
        });
        await producer.send({
          topic: topicPrefix + Topics.inbound,
          messages: [record('plain 1', true), record('plain 2 ✓', false)],
        });
      } finally {
        await producer.disconnect();
      }
      try {
        await waitFor(() => handled.length >= 5, { what: 'the five records handled' });
      } finally {
        await handle.stop();
        await bus.close();
      }
      expect(handled).toEqual(['zipped 1', 'zipped 2', 'zipped 3 ünïcødé', 'plain 1', 'plain 2 ✓']);
    });
  });

  describe(`Kafka through ${adapter.name}, stopped while a consumer starts`, () => {
    const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

    it('leaves no broker connection behind after close, however early the stop comes', async () => {
      const topicPrefix = `${testRunId()}.${randomUUID().slice(0, 8)}.`;
      const before = openSockets();
      // Stops land before, during and after the consumer's join (connect, subscribe) and its run.
      for (const stopAfterMs of [0, 2, 5, 10, 20, 40, 80, 160, 320]) {
        const bus = adapter.open({
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
      // A join left running would open its socket after close() returned.
      await sleep(2_000);
      expect(openSockets()).toBe(before);
    });
  });
}
