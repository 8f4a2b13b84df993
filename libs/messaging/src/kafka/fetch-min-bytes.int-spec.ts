import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Consumer } from '@platformatic/kafka';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { inboundMessageEvent, testRunId, waitFor } from '@switchboard/testing';
import { Kafka } from 'kafkajs';
import type { SubscriptionSpec } from '../event-bus.js';
import { KafkaEventBus, type KafkaEventBusOptions } from './kafka-event-bus.js';
import { loadPlatformaticKafkaEventBus } from './load-platformatic.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

/**
 * `SubscriptionSpec.fetchMinBytes` (ADR 0162) reaches each client's fetches, as the minimum the
 * broker waits for; a subscription without it keeps the clients' one byte (answered at the first
 * record). Read from what each client is asked to fetch with, on the real broker; and a group that
 * asks for far more than the log holds still gets its events, once the fetch's wait is over.
 */
const adapters: {
  name: string;
  open: (options: KafkaEventBusOptions) => Promise<KafkaEventBus>;
  /** The minimum bytes of the fetches the subscriptions opened since `watch()` asked for, in order. */
  watch: () => () => (number | undefined)[];
}[] = [
  {
    name: 'kafkajs',
    open: (options) => Promise.resolve(new KafkaEventBus(options)),
    watch: () => {
      const consumer = jest.spyOn(Kafka.prototype, 'consumer');
      return () => consumer.mock.calls.map(([config]) => config?.minBytes);
    },
  },
  {
    name: '@platformatic/kafka',
    open: async (options) => new (await loadPlatformaticKafkaEventBus())(options),
    watch: () => {
      const consume = jest.spyOn(Consumer.prototype, 'consume');
      return () => consume.mock.calls.map(([options]) => options.minBytes);
    },
  },
];

afterEach(() => jest.restoreAllMocks());

for (const adapter of adapters) {
  describe(`fetchMinBytes through ${adapter.name}`, () => {
    it('asks the broker to wait for that many bytes, and for one byte without it; delivers all the same', async () => {
      const bus = await adapter.open({
        brokers,
        clientId: 'fetch-min-bytes',
        topicPrefix: `${testRunId()}.${randomUUID().slice(0, 8)}.`,
        partitions: 1,
        replicationFactor: 1,
      });
      const minBytes = adapter.watch();
      const received: { group: string; id: string }[] = [];
      const spec = (fetchMinBytes?: number): SubscriptionSpec => {
        const groupId = `group-${randomUUID()}`;
        return {
          groupId,
          topics: [Topics.inbound],
          accepts: [InboundMessageReceivedV1],
          handleBatch: (batch) => {
            for (const { event } of batch) received.push({ group: groupId, id: event.id });
            return Promise.resolve();
          },
          ...(fetchMinBytes === undefined ? {} : { fetchMinBytes }),
        };
      };
      try {
        const gathering = await bus.subscribe(spec(1024 * 1024));
        await gathering.assigned;
        const eager = await bus.subscribe(spec());
        await eager.assigned;
        expect(minBytes()).toEqual([1024 * 1024, 1]);
        const event = inboundMessageEvent();
        await bus.emit(event);
        await waitFor(() => new Set(received.map((r) => r.group)).size === 2, {
          what: 'the event in both groups',
        });
        expect(new Set(received.map((r) => r.id))).toEqual(new Set([event.id]));
      } finally {
        await bus.close();
      }
    });
  });
}
