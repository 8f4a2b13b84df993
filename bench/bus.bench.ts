/**
 * `npm run bench:bus`: 200,000 events of about 500 bytes through libs/messaging on a real Kafka
 * broker, beside Kafka's own ProducerPerformance and EndToEndLatency on the same broker, in the
 * same run. Targets (issue #2): our throughput at least half of Kafka's; our p99 at light load at
 * most three times Kafka's. Both Kafka adapters run, one after the other, on the same broker
 * (ADR 0006): kafkajs and @platformatic/kafka; `BENCH_ADAPTERS=platformatic` (or `kafkajs`) runs one.
 * `BENCH_LANES=<n>` gives the buses n producer lanes rather than their default one (ADR 0121).
 *
 * Each adapter runs twice (ADR 0146): publishing and handling in this one process and one thread
 * (the figure of every run before), then split as the apps run, the handling in a process of its
 * own (bus-consumer.child.ts) and the publishing here. Both are printed; `BENCH_SPLIT=0` skips the
 * split run.
 *
 * `BENCH_ROUNDS=<n>` (n > 1) then runs the split n more times, each right after a
 * ProducerPerformance run of its own on the same broker, and prints each round's ratio to the run
 * just before it and their median (ADR 0169): on a machine whose speed drifts between minutes, a
 * ratio to a baseline taken a minute earlier measures the drift as much as the bus.
 *
 * Where the broker runs on this machine (started here, or by the broker script on the loopback
 * port in KAFKA_BROKERS), its own CPU per record in each throughput phase is printed beside:
 * ProducerPerformance's records are produced once, the bus's produced and fetched.
 *
 * `BENCH_TRACING=1` runs the same with OpenTelemetry on (ADR 0105): every publish in a span whose
 * context travels in the records' headers, every batch handled in a span continuing it, exported
 * over OTLP/HTTP to a loopback collector that takes and drops them.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { type EventBus, KafkaEventBus, loadPlatformaticKafkaEventBus } from '@switchboard/messaging';
import { startTracing } from '@switchboard/platform';
import { inboundMessageEvent } from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import {
  type KafkaPerfModule,
  fmt,
  formatTable,
  loadDeployModule,
  percentile,
  processCpuSeconds,
  useBroker,
} from './bench.util.js';
import { type SplitConsumerArgs, type SplitConsumerMessage, wallClock } from './bus-consumer.child.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const LIGHT_LOAD_EVENTS = 2_000;
const PARTITIONS = 12;
const RECORD_BYTES = 500;
const SENDERS = 1_000;

/**
 * ProducerPerformance's producer, its Kafka 4.1 defaults written out (beside `acks=all` and
 * idempotence, which kafka-perf sets): the same guarantees as the bus's (every record acknowledged
 * by all in-sync replicas, per-key order kept across retries), no compression on either side. How
 * each batches is its own: the Java producer lingers 5 ms and keeps five requests in flight; the
 * bus does not linger and gathers what arrives while its one request is in flight (ADR 0121).
 */
const PRODUCER_PERFORMANCE_PROPS = {
  'linger.ms': 5,
  'batch.size': 16_384,
  'compression.type': 'none',
  'max.in.flight.requests.per.connection': 5,
};

const TRACING = process.env.BENCH_TRACING === '1';
const SPLIT = process.env.BENCH_SPLIT !== '0';
const PUBLISHERS = 256;
/** The most ProducerPerformance runs warming the broker, the baseline's included. */
const PRODUCER_PERFORMANCE_RUNS = 5;
const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 1)) || 1);
if (TRACING) {
  const sink = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sink.unref();
  await startTracing('bench', {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
  });
}

const broker = await useBroker();
/**
 * The broker's CPU from now, where its JVM runs on this machine (useBroker's pid): µs per record
 * over `records`, to compare what a throughput phase cost it with what ProducerPerformance's did.
 */
const brokerCpu = () => {
  const pid = broker.pid;
  const before = pid === undefined ? 0 : processCpuSeconds(pid);
  return (records: number) =>
    pid === undefined ? undefined : ((processCpuSeconds(pid) - before) * 1e6) / records;
};
const brokerCell = (micros: number | undefined) =>
  micros === undefined ? '' : `broker ${fmt(micros, 1)} µs/record`;
const brokers = broker.brokers.split(',');
const perf = await loadDeployModule<KafkaPerfModule>('deploy/local/kafka/kafka-perf.mjs');
const run = randomUUID().slice(0, 8);

// An event whose JSON is about RECORD_BYTES long, like a short customer message.
const sample = inboundMessageEvent({ text: '' });
const padding = Math.max(0, RECORD_BYTES - Buffer.byteLength(JSON.stringify(sample)));
const makeEvent = (i: number) =>
  inboundMessageEvent({
    text: 'x'.repeat(padding),
    sender: { kind: 'phone', address: `+1555${String(i % SENDERS).padStart(7, '0')}`, verified: true },
  });
const eventBytes = Buffer.byteLength(JSON.stringify(makeEvent(0)));

/** One ProducerPerformance run on the baseline's topic, with the broker's CPU per record in it. */
async function producerPerformance(perfTopic: string) {
  const brokerPerRecord = brokerCpu();
  const producer = await perf.runProducerPerformance({
    brokers: broker.brokers,
    topic: perfTopic,
    numRecords: EVENTS,
    recordSize: eventBytes,
    producerProps: PRODUCER_PERFORMANCE_PROPS,
  });
  return { ...producer, brokerMicros: brokerPerRecord(EVENTS) };
}

async function kafkaBaselines() {
  const admin = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const perfTopic = `bench-${run}-producer-perf`;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: perfTopic, numPartitions: PARTITIONS }],
  });
  await admin.disconnect();
  // A broker just started doubles its rate as its JIT warms, where ours hardly moves (session 19):
  // ProducerPerformance runs until two runs in a row agree within a tenth, and the last is the
  // baseline, so that every run compares with the broker warm. The earlier rates are printed.
  const warmups: number[] = [];
  for (;;) {
    const producer = await producerPerformance(perfTopic);
    const previous = warmups.at(-1);
    const steady = previous !== undefined && Math.abs(producer.recordsPerSec - previous) <= previous / 10;
    if (steady || warmups.length + 1 >= PRODUCER_PERFORMANCE_RUNS) {
      const e2e = await perf.runEndToEndLatency({
        brokers: broker.brokers,
        topic: `bench-${run}-e2e-latency`,
        numMessages: LIGHT_LOAD_EVENTS,
        recordSize: eventBytes,
      });
      return { producer: { ...producer, warmups }, e2e, perfTopic };
    }
    warmups.push(producer.recordsPerSec);
  }
}

const ADAPTERS = {
  kafkajs: KafkaEventBus,
  platformatic: await loadPlatformaticKafkaEventBus(),
} as const;
type Adapter = keyof typeof ADAPTERS;
const adapters = (process.env.BENCH_ADAPTERS ?? 'kafkajs,platformatic')
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is Adapter => name in ADAPTERS);

/** Publish-to-handle through our bus: every event published, consumed by a subscriber, timed. */
async function ours(adapter: Adapter) {
  // Each adapter on its own topics, so that neither reads the other's events.
  const bus: EventBus = new ADAPTERS[adapter]({
    brokers,
    clientId: 'bench',
    topicPrefix: `bench-${run}-${adapter}.`,
    partitions: PARTITIONS,
    replicationFactor: 1,
    ...(process.env.BENCH_LANES ? { producerLanes: Number(process.env.BENCH_LANES) } : {}),
  });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let handled = 0;
  let onHandled: () => void = () => undefined;
  const subscription = await bus.subscribe({
    groupId: 'bench',
    topics: [Topics.inbound],
    accepts: [InboundMessageReceivedV1],
    handleBatch: (batch) => {
      const now = performance.now();
      for (const { event } of batch) {
        const start = sentAt.get(event.id);
        if (start !== undefined) {
          latencies.push(now - start);
          sentAt.delete(event.id);
          handled += 1;
        }
      }
      onHandled();
      return Promise.resolve();
    },
  });
  await subscription.assigned;
  const until = (n: number) =>
    new Promise<void>((resolve) => {
      onHandled = () => handled >= n && resolve();
      onHandled();
    });

  // Light load: one event at a time, the next once the last was handled (as EndToEndLatency does).
  for (let i = 0; i < LIGHT_LOAD_EVENTS; i++) {
    const event = makeEvent(i);
    sentAt.set(event.id, performance.now());
    await bus.emit(event);
    await until(i + 1);
  }
  const light = latencies.splice(0).sort((a, b) => a - b);
  handled = 0;

  // Throughput: many concurrent publishers (as webhooks would be), each publishing one event at a time.
  const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(i));
  const cpuBefore = process.cpuUsage();
  const brokerPerRecord = brokerCpu();
  const started = performance.now();
  let next = 0;
  const publisher = async () => {
    while (next < events.length) {
      const event = events[next++]!;
      sentAt.set(event.id, performance.now());
      await bus.emit(event);
    }
  };
  await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
  const publishedAt = performance.now();
  await until(EVENTS);
  const finished = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const brokerMicros = brokerPerRecord(EVENTS);
  const loaded = latencies.sort((a, b) => a - b);
  await subscription.stop();
  await bus.close();
  return {
    publishPerSec: EVENTS / ((publishedAt - started) / 1000),
    endToEndPerSec: EVENTS / ((finished - started) / 1000),
    // Publishing, fetching, validating and handling, all in this process: less bound to the load.
    cpuMicrosPerEvent: (cpu.user + cpu.system) / EVENTS,
    brokerMicros,
    light: { p50: percentile(light, 50), p99: percentile(light, 99) },
    loaded: { p50: percentile(loaded, 50), p99: percentile(loaded, 99) },
  };
}

/**
 * The same throughput phase split as the apps run it (ADR 0146): this process publishes, a forked
 * one subscribes and handles. Throughput is from the first timed publish to the last event handled
 * over there; CPU per event is each process's own; the latency under full load is every 16th
 * event's, publish here to handled there, on the wall clock both processes share.
 */
async function split(adapter: Adapter, round = 0) {
  // Each round on topics of its own: none delivers what another left uncommitted.
  const topicPrefix = `bench-${run}-${adapter}-split${round === 0 ? '' : `-${round}`}.`;
  const lanes = process.env.BENCH_LANES ? Number(process.env.BENCH_LANES) : undefined;
  const bus: EventBus = new ADAPTERS[adapter]({
    brokers,
    clientId: 'bench',
    topicPrefix,
    partitions: PARTITIONS,
    replicationFactor: 1,
    ...(lanes ? { producerLanes: lanes } : {}),
  });
  const child = fork(fileURLToPath(new URL('./bus-consumer.child.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const received: SplitConsumerMessage[] = [];
  let wake: () => void = () => undefined;
  child.on('message', (message: SplitConsumerMessage) => {
    received.push(message);
    wake();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the consumer process exited (${code}) early`))),
  );
  exited.catch(() => undefined);
  const nextMessage = async <K extends 'assigned' | 'warmed' | 'done'>(kind: K) => {
    for (;;) {
      const found = received.find((m) => kind in m);
      if (found) return found as Extract<SplitConsumerMessage, Record<K, true>>;
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), exited]);
    }
  };
  const args: SplitConsumerArgs = {
    adapter,
    brokers,
    topicPrefix,
    partitions: PARTITIONS,
    warmup: LIGHT_LOAD_EVENTS,
    expected: EVENTS,
    ...(lanes ? { producerLanes: lanes } : {}),
  };
  child.send(args);
  await nextMessage('assigned');
  const publishAll = async (
    events: readonly ReturnType<typeof makeEvent>[],
    sentAt?: Map<string, number>,
  ) => {
    let cursor = 0;
    const publisher = async () => {
      while (cursor < events.length) {
        const event = events[cursor++]!;
        sentAt?.set(event.id, wallClock());
        await bus.emit(event);
      }
    };
    await Promise.all(Array.from({ length: PUBLISHERS }, publisher));
  };
  // Warm-up (the topic's first publishes, both processes' code compiled): as the one-process run's light load.
  await publishAll(Array.from({ length: LIGHT_LOAD_EVENTS }, (_, i) => makeEvent(i)));
  await nextMessage('warmed');

  const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(i));
  const sentAt = new Map<string, number>();
  child.send({ go: true });
  const cpuBefore = process.cpuUsage();
  const brokerPerRecord = brokerCpu();
  const started = wallClock();
  await publishAll(events, sentAt);
  const publishedAt = wallClock();
  const publisherCpu = process.cpuUsage(cpuBefore);
  const done = await nextMessage('done');
  const brokerMicros = brokerPerRecord(EVENTS);
  await bus.close();
  await new Promise<void>((resolve) =>
    child.exitCode === null ? child.once('exit', () => resolve()) : resolve(),
  );
  const latencies = done.samples
    .map(([id, handledAt]) => handledAt - sentAt.get(id)!)
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  return {
    publishPerSec: EVENTS / ((publishedAt - started) / 1000),
    endToEndPerSec: EVENTS / ((done.lastHandledAt - started) / 1000),
    publisherMicrosPerEvent: (publisherCpu.user + publisherCpu.system) / EVENTS,
    consumerMicrosPerEvent: done.cpuMicros / EVENTS,
    brokerMicros,
    loaded: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}

/**
 * The split run `ROUNDS` times more, each right after its own ProducerPerformance run (ADR 0169):
 * each round's ratio is to the baseline taken just before it, and the median of the rounds is the
 * figure, where the host's speed drifts by a quarter between minutes.
 */
async function pairedRounds(adapter: Adapter, perfTopic: string) {
  const rows: string[][] = [];
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const producer = await producerPerformance(perfTopic);
    const apart = await split(adapter, round);
    const ratio = apart.endToEndPerSec / producer.recordsPerSec;
    ratios.push(ratio);
    rows.push([
      `${adapter}, split, round ${round}: msgs/s; CPU per event`,
      `${fmt(apart.endToEndPerSec, 0)}; ${fmt(apart.publisherMicrosPerEvent, 1)} + ${fmt(apart.consumerMicrosPerEvent, 1)} µs, ${brokerCell(apart.brokerMicros)}`,
      `${fmt(producer.recordsPerSec, 0)} just before${producer.brokerMicros === undefined ? '' : `, ${brokerCell(producer.brokerMicros)}`}`,
      fmt(ratio, 2),
      '≥ 0.5',
    ]);
  }
  const median = percentile(
    [...ratios].sort((a, b) => a - b),
    50,
  );
  rows.push([`${adapter}, split, median of ${ROUNDS} paired rounds`, '', '', fmt(median, 2), '≥ 0.5']);
  return { rows, median, met: ratios.filter((ratio) => ratio >= 0.5).length };
}

try {
  process.stdout.write(
    `bench:bus — ${fmt(EVENTS, 0)} events of ${eventBytes} bytes, ${PARTITIONS} partitions, broker ${broker.brokers}` +
      `${TRACING ? ', tracing on' : ''}, load average ${loadavg()
        .map((n) => fmt(n, 1))
        .join(' ')}\nProducerPerformance: acks=all, idempotent, ` +
      `${Object.entries(PRODUCER_PERFORMANCE_PROPS)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')}\n\n`,
  );
  const baseline = await kafkaBaselines();
  process.stdout.write(
    `ProducerPerformance warming the broker: ${[...baseline.producer.warmups, baseline.producer.recordsPerSec]
      .map((rate) => fmt(rate, 0))
      .join(' → ')} records/s; the baseline is the last\n\n`,
  );
  const rows: string[][] = [['measure', 'libs/messaging (Kafka)', "Kafka's own tool", 'ratio', 'target']];
  const verdicts: string[] = [];
  for (const adapter of adapters) {
    const result = await ours(adapter);
    const throughputRatio = result.endToEndPerSec / baseline.producer.recordsPerSec;
    const latencyRatio = result.light.p99 / Math.max(1, baseline.e2e.p99Ms);
    rows.push(
      [
        `${adapter}: throughput, msgs/s`,
        `${fmt(result.endToEndPerSec, 0)} published+handled (${fmt(result.publishPerSec, 0)} published)`,
        `${fmt(baseline.producer.recordsPerSec, 0)} (ProducerPerformance)${baseline.producer.brokerMicros === undefined ? '' : `, ${brokerCell(baseline.producer.brokerMicros)}`}`,
        fmt(throughputRatio, 2),
        '≥ 0.5',
      ],
      [
        `${adapter}: CPU per event published+handled, this process`,
        `${fmt(result.cpuMicrosPerEvent, 1)} µs`,
        brokerCell(result.brokerMicros),
        '',
        '',
      ],
      [
        `${adapter}: latency at light load, p50 / p99 ms`,
        `${fmt(result.light.p50, 2)} / ${fmt(result.light.p99, 2)} publish→handle`,
        `${fmt(baseline.e2e.p50Ms, 0)} / ${fmt(baseline.e2e.p99Ms, 0)} (EndToEndLatency)`,
        fmt(latencyRatio, 2),
        '≤ 3',
      ],
      [
        `${adapter}: latency under full load, p50 / p99 ms`,
        `${fmt(result.loaded.p50, 1)} / ${fmt(result.loaded.p99, 1)} publish→handle`,
        `${fmt(baseline.producer.p50Ms, 0)} / ${fmt(baseline.producer.p99Ms, 0)} (ProducerPerformance, send→ack)`,
        '',
        '',
      ],
    );
    let splitVerdict = '';
    if (SPLIT) {
      const apart = await split(adapter);
      const splitRatio = apart.endToEndPerSec / baseline.producer.recordsPerSec;
      rows.push(
        [
          `${adapter}, split: throughput, msgs/s`,
          `${fmt(apart.endToEndPerSec, 0)} published here, handled in another process (${fmt(apart.publishPerSec, 0)} published)`,
          `${fmt(baseline.producer.recordsPerSec, 0)} (ProducerPerformance)`,
          fmt(splitRatio, 2),
          '≥ 0.5',
        ],
        [
          `${adapter}, split: CPU per event, publisher + consumer`,
          `${fmt(apart.publisherMicrosPerEvent, 1)} + ${fmt(apart.consumerMicrosPerEvent, 1)} = ${fmt(apart.publisherMicrosPerEvent + apart.consumerMicrosPerEvent, 1)} µs`,
          brokerCell(apart.brokerMicros),
          '',
          '',
        ],
        [
          `${adapter}, split: latency under full load, p50 / p99 ms`,
          `${fmt(apart.loaded.p50, 1)} / ${fmt(apart.loaded.p99, 1)} publish→handle (every 16th event)`,
          '',
          '',
          '',
        ],
      );
      splitVerdict = ` (split: ${fmt(splitRatio, 2)}, ${splitRatio >= 0.5 ? 'met' : 'MISSED'})`;
      if (ROUNDS > 1) {
        const paired = await pairedRounds(adapter, baseline.perfTopic);
        rows.push(...paired.rows);
        splitVerdict += `; paired rounds: median ${fmt(paired.median, 2)}, met in ${paired.met} of ${ROUNDS}`;
      }
    }
    verdicts.push(
      `${adapter}: throughput target in one process ${throughputRatio >= 0.5 ? 'met' : 'MISSED'} (${fmt(throughputRatio, 2)})${splitVerdict}; light-load p99 target ${latencyRatio <= 3 ? 'met' : 'MISSED'}`,
    );
  }
  process.stdout.write(formatTable(rows) + '\n');
  process.stdout.write(
    `load average at the end ${loadavg()
      .map((n) => fmt(n, 1))
      .join(' ')}\n`,
  );
  process.stdout.write(
    `\n${verdicts.join('\n')}\n(Kafka's EndToEndLatency reports whole milliseconds; ratios use max(1 ms, its p99).)\n`,
  );
} finally {
  await broker.stop();
}
