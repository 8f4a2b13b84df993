import { randomUUID } from 'node:crypto';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { markTracingEnabled } from '@switchboard/platform';
import {
  type TestDatabase,
  createTestDatabase,
  inboundMessageEvent,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { EventBus } from './event-bus.js';
import { InProcessEventBus } from './in-process/in-process-event-bus.js';
import { PostgresEventLogStore } from './in-process/postgres-event-log.store.js';
import { KafkaEventBus } from './kafka/kafka-event-bus.js';
import { PlatformaticKafkaEventBus } from './kafka/platformatic-kafka-event-bus.js';

const exporter = new InMemorySpanExporter();
let database: TestDatabase;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  markTracingEnabled(() => Promise.resolve());
  database = await createTestDatabase('bus_trace');
});
afterAll(async () => {
  await database?.drop();
  trace.disable();
  context.disable();
  propagation.disable();
});

const adapters: [string, () => Promise<EventBus>][] = [
  [
    'Kafka',
    () =>
      Promise.resolve(
        new KafkaEventBus({
          brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
          clientId: 'trace-headers',
          topicPrefix: `${testRunId()}.trace-${randomUUID().slice(0, 8)}.`,
          partitions: 1,
          replicationFactor: 1,
        }),
      ),
  ],
  [
    'Kafka through @platformatic/kafka',
    () =>
      Promise.resolve(
        new PlatformaticKafkaEventBus({
          brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
          clientId: 'trace-headers',
          topicPrefix: `${testRunId()}.trace-${randomUUID().slice(0, 8)}.`,
          partitions: 1,
          replicationFactor: 1,
        }),
      ),
  ],
  [
    'in-process on PostgreSQL',
    async () => {
      const store = new PostgresEventLogStore({
        connectionString: database.url,
        // A log of its own per test: a group reading from the start sees only this test's events.
        schema: `bus_${randomUUID().slice(0, 8)}`,
        poolSize: 2,
      });
      await store.init();
      return new InProcessEventBus(store, {
        partitions: 1,
        retentionMs: 3_600_000,
        groupRetentionMs: 3_600_000,
      });
    },
  ],
];

/**
 * ADR 0105 on every adapter: the trace context of the span that publishes an event travels in its
 * record's headers, and the consumer's span continues it: a child of the one span a batch came
 * from; a new trace linked to each when the batch came from several.
 */
describe.each(adapters)('trace context through the %s event bus', (_name, open) => {
  let bus: EventBus;
  beforeEach(async () => {
    bus = await open();
    exporter.reset();
  });
  afterEach(async () => bus.close());

  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);

  it("continues the publishing span's trace in the consumer, and its handler's work under it", async () => {
    const handledIn: string[] = [];
    const subscription = await bus.subscribe({
      groupId: `trace-${randomUUID()}`,
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1],
      handleBatch: (batch) => {
        handledIn.push(...batch.map(() => trace.getActiveSpan()?.spanContext().spanId ?? 'none'));
        return Promise.resolve();
      },
    });
    await subscription.assigned;
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('webhook', async (span) => {
      await bus.emit(
        [inboundMessageEvent(), inboundMessageEvent()].map((e) => ({
          ...e,
          payload: { ...e.payload, sender: { ...e.payload.sender, address: '+15550000001' } },
        })),
      );
      span.end();
    });
    await waitFor(() => handledIn.length === 2, { what: 'both events handled', timeoutMs: 30_000 });
    await subscription.stop();

    const [webhook] = spans('webhook');
    const [send] = spans('send switchboard.inbound');
    const processed = await waitFor(() => spans('process switchboard.inbound')[0], {
      what: 'the consumer span',
    });
    expect(send!.parentSpanContext?.spanId).toBe(webhook!.spanContext().spanId);
    expect(processed.spanContext().traceId).toBe(webhook!.spanContext().traceId);
    expect(processed.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    expect(processed.links).toEqual([]);
    expect(handledIn).toEqual([processed.spanContext().spanId, processed.spanContext().spanId]);
  });

  it('links a batch that came from several traces to each of them', async () => {
    const tracer = trace.getTracer('test');
    const address = '+15550000002';
    for (const name of ['first', 'second']) {
      await tracer.startActiveSpan(name, async (span) => {
        const event = inboundMessageEvent();
        await bus.emit({
          ...event,
          payload: { ...event.payload, sender: { ...event.payload.sender, address } },
        });
        span.end();
      });
    }
    // Subscribed after both were published: they are fetched as one batch.
    let handled = 0;
    const subscription = await bus.subscribe({
      groupId: `trace-${randomUUID()}`,
      topics: [Topics.inbound],
      accepts: [InboundMessageReceivedV1],
      handleBatch: (batch) => {
        handled += batch.length;
        return Promise.resolve();
      },
    });
    await waitFor(() => handled >= 2, { what: 'both events handled', timeoutMs: 30_000 });
    await subscription.stop();
    const sends = spans('send switchboard.inbound');
    const processed = spans('process switchboard.inbound').find((s) => s.links.length > 0);
    expect(processed).toBeDefined();
    expect(processed!.parentSpanContext).toBeUndefined();
    expect(processed!.links.map((l) => l.context.spanId).sort()).toEqual(
      sends.map((s) => s.spanContext().spanId).sort(),
    );
  });
});
