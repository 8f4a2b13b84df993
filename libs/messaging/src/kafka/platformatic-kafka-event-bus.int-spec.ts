import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { InboundMessageReceivedV1, Topics, deadLetterTopic } from '@switchboard/contracts';
import { testRunId } from '@switchboard/testing';
import { describeEventBusContract } from '../testing/event-bus.contract.js';
import { listGroups, readTopic } from '../testing/kafka-inspection.util.js';
import { PlatformaticKafkaEventBus } from './platformatic-kafka-event-bus.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

describeEventBusContract('Kafka through @platformatic/kafka', () => {
  // Each test gets its own topics and groups on the shared broker.
  const topicPrefix = `${testRunId()}.${randomUUID().slice(0, 8)}.`;
  const open = () =>
    new PlatformaticKafkaEventBus({
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

describe('PlatformaticKafkaEventBus stopped while a consumer starts', () => {
  const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

  it('leaves no broker connection behind after close, however early the stop comes', async () => {
    const topicPrefix = `${testRunId()}.${randomUUID().slice(0, 8)}.`;
    const before = openSockets();
    // Stops land before, during and after the consumer's join and its stream's start.
    for (const stopAfterMs of [0, 2, 5, 10, 20, 40, 80, 160, 320]) {
      const bus = new PlatformaticKafkaEventBus({
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
