/**
 * `npm run bench:bus-requests`: what the broker is asked per event on a hot path shaped like
 * bench:e2e's, for each Kafka adapter: events published one per call at RATE a second for SECONDS
 * (as webhooks publish them), a consumer group handling them and publishing one event per batch on
 * a second topic (as a relay or routing does), and a second group handling those. Two bus hops.
 *
 * Per event handled at the end: the Kafka requests both adapters sent, by API (counted in the
 * clients, as each request is written: Produce, Fetch, OffsetCommit, Heartbeat, Metadata, ...), the
 * broker's CPU (its JVM's utime + stime from /proc) and this process's; these are what load does
 * not distort. Latencies are printed too, for what they are worth on a shared machine.
 *
 * The broker is one this benchmark starts for itself, so that its CPU is this run's alone; set
 * KAFKA_BROKERS and BROKER_PID to use a running one (its CPU then counts whatever else it serves).
 *
 * Idle too, before the load: for as long as the load lasts, with both groups subscribed and
 * nothing published, the requests each second and this process's CPU each second (what an app
 * with nothing to do costs). With DATABASE_URL set, both buses run the crashed-member sweep as
 * the apps do (ADR 0092, every KAFKA_CRASH_CHECK_INTERVAL_MS, default 1 s), its liveness
 * sessions on that database.
 *
 * `node dist/bench/bus-requests.bench.js [RATE=500] [SECONDS=10]`; `BENCH_ADAPTERS=kafkajs` (or
 * `platformatic`) runs one adapter.
 */
import { randomUUID } from 'node:crypto';
import { subscribe as subscribeChannel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import {
  ConversationMessageAppendedV1,
  type EventEnvelope,
  InboundMessageReceivedV1,
  Topics,
} from '@switchboard/contracts';
import { type EventBus, KafkaEventBus, loadPlatformaticKafkaEventBus } from '@switchboard/messaging';
import { inboundMessageEvent } from '@switchboard/testing';
import {
  type KafkaBrokerModule,
  cpuMeter,
  fmt,
  formatTable,
  loadDeployModule,
  percentile,
} from './bench.util.js';

const RATE = Number(process.argv[2] ?? 500);
const SECONDS = Number(process.argv[3] ?? 10);
const PARTITIONS = 12;
const WARM_UP_EVENTS = 200;
const DRAIN_MS = 60_000;
const DATABASE_URL = process.env.DATABASE_URL;
const CRASH_CHECK_INTERVAL_MS = Number(process.env.KAFKA_CRASH_CHECK_INTERVAL_MS ?? 1_000);

// ---------------------------------------------------------------------------------------------
// Requests counted in the clients, by API
// ---------------------------------------------------------------------------------------------

const requests = new Map<string, number>();
const countRequest = (api: string) => requests.set(api, (requests.get(api) ?? 0) + 1);

/** kafkajs: every request goes through its Connection's send(), which knows the API's name. */
interface KafkajsConnection {
  send: (this: KafkajsConnection, options: { request: { apiName: string } }) => Promise<unknown>;
}
const kafkajsConnection = createRequire(import.meta.url)('kafkajs/src/network/connection') as {
  prototype: KafkajsConnection;
};
const send = kafkajsConnection.prototype.send;
kafkajsConnection.prototype.send = function (this: KafkajsConnection, options) {
  countRequest(options.request.apiName);
  return send.call(this, options);
};

/** @platformatic/kafka: every request is published on this diagnostics channel as it is sent. */
const PLATFORMATIC_APIS: Record<number, string> = {
  0: 'Produce',
  1: 'Fetch',
  2: 'ListOffsets',
  3: 'Metadata',
  8: 'OffsetCommit',
  9: 'OffsetFetch',
  10: 'GroupCoordinator',
  11: 'JoinGroup',
  12: 'Heartbeat',
  13: 'LeaveGroup',
  14: 'SyncGroup',
  15: 'DescribeGroups',
  18: 'ApiVersions',
  22: 'InitProducerId',
};
subscribeChannel('tracing:plt:kafka:connections:api:start', (message) => {
  const apiKey = (message as { apiKey: number }).apiKey;
  countRequest(PLATFORMATIC_APIS[apiKey] ?? `api ${apiKey}`);
});

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

const ADAPTERS = { kafkajs: KafkaEventBus, platformatic: await loadPlatformaticKafkaEventBus() } as const;
type Adapter = keyof typeof ADAPTERS;
const adapters = (process.env.BENCH_ADAPTERS ?? 'kafkajs,platformatic')
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is Adapter => name in ADAPTERS);

const WORKSPACE = '00000000-0000-4000-8000-000000000001';

/** The event the first hop publishes for each inbound one, carrying its id as the message's. */
function appendedFor(inbound: EventEnvelope, sequence: number): EventEnvelope {
  return ConversationMessageAppendedV1.create({
    workspaceId: WORKSPACE,
    payload: {
      conversationId: randomUUID(),
      customerId: randomUUID(),
      messageId: inbound.id,
      sequence,
      direction: 'in',
      channel: 'sms',
      channelAccountId: 'sms-account-1',
      text: 'Hello, is my order on its way?',
      attachments: [],
      sender: { type: 'customer' },
      createdAt: new Date().toISOString(),
      openedConversation: true,
    },
  });
}

interface RunResult {
  readonly events: number;
  readonly delivered: number;
  readonly requests: Map<string, number>;
  readonly cpu: Map<string, number>;
  /** The broker's CPU seconds in an idle window before the run, scaled to the run's length. */
  readonly brokerIdle: number;
  /** In that idle window (SECONDS long): the requests both buses sent, by API, and their CPU seconds. */
  readonly idleRequests: Map<string, number>;
  readonly idleCpu: number;
  readonly idleBroker: number;
  readonly p50: number;
  readonly p99: number;
}

async function run(adapter: Adapter, brokers: string[], brokerPid: number): Promise<RunResult> {
  const topicPrefix = `bench-${randomUUID().slice(0, 8)}-${adapter}.`;
  const open = (clientId: string): EventBus =>
    new ADAPTERS[adapter]({
      brokers,
      clientId,
      topicPrefix,
      partitions: PARTITIONS,
      replicationFactor: 1,
      // Counts are the measure, not latency: a loaded machine must not fail publishes.
      publishTimeoutMs: 60_000,
      ...(DATABASE_URL !== undefined && CRASH_CHECK_INTERVAL_MS > 0
        ? { crashedMemberEviction: { databaseUrl: DATABASE_URL, intervalMs: CRASH_CHECK_INTERVAL_MS } }
        : {}),
    });
  // Two processes' buses in one: the edge publishes, the worker relays and handles.
  const edge = open('edge');
  const worker = open('worker');
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let sequence = 0;
  const relay = await worker.subscribe({
    groupId: 'hop',
    topics: [Topics.inbound],
    accepts: [InboundMessageReceivedV1],
    handleBatch: (batch) => worker.emit(batch.map(({ event }) => appendedFor(event, ++sequence))),
  });
  const sink = await worker.subscribe({
    groupId: 'sink',
    topics: [Topics.conversations],
    accepts: [ConversationMessageAppendedV1],
    handleBatch: (batch) => {
      const now = performance.now();
      for (const { event } of batch) {
        const start = sentAt.get(event.payload.messageId);
        if (start === undefined) continue;
        sentAt.delete(event.payload.messageId);
        latencies.push(now - start);
      }
      return Promise.resolve();
    },
  });
  await Promise.all([relay.assigned, sink.assigned]);

  // Warm-up: connections open, producers initialised, metadata known.
  const publish = (i: number) => {
    const event = inboundMessageEvent({
      sender: { kind: 'phone', address: `+1555${String(i).padStart(7, '0')}`, verified: true },
    });
    sentAt.set(event.id, performance.now());
    return edge.emit(event).catch((error: unknown) => {
      sentAt.delete(event.id);
      failed += 1;
      process.stderr.write(`publish failed: ${String(error)}\n`);
    });
  };
  let failed = 0;
  await Promise.all(Array.from({ length: WARM_UP_EVENTS }, (_, i) => publish(i)));
  await waitUntil(() => sentAt.size === 0, DRAIN_MS);
  latencies.length = 0;
  failed = 0;

  // Open loop at RATE a second, each event its own publish, timed from when it was due.
  const total = RATE * SECONDS;
  const meter = cpuMeter({ broker: brokerPid });
  // The broker's CPU over as long a window just before, without this run's events: what a shared
  // broker spends on the rest of its work, taken off below.
  requests.clear();
  meter.start();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const idleUsed = meter.take();
  const idle = idleUsed.get('broker') ?? 0;
  const idleRequests = new Map(requests);
  requests.clear();
  meter.start();
  const started = performance.now();
  const publishes: Promise<void>[] = [];
  for (let sent = 0; sent < total;) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    for (; sent < due; sent++) {
      publishes.push(publish(WARM_UP_EVENTS + sent));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(publishes);
  await waitUntil(() => sentAt.size === 0, DRAIN_MS);
  const cpu = meter.take();
  const elapsedSeconds = (performance.now() - started) / 1000;
  const counted = new Map(requests);
  await Promise.all([relay.stop(), sink.stop()]);
  await Promise.all([edge.close(), worker.close()]);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    events: total - failed,
    delivered: latencies.length,
    requests: counted,
    cpu,
    brokerIdle: (idle * elapsedSeconds) / SECONDS,
    idleRequests,
    idleCpu: idleUsed.get('this benchmark') ?? 0,
    idleBroker: idle,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

const configured = process.env.KAFKA_BROKERS;
let broker: { brokers: string; pid: number; stop: () => Promise<void> };
if (configured) {
  const pid = Number(process.env.BROKER_PID);
  if (!Number.isInteger(pid)) throw new Error('KAFKA_BROKERS set: BROKER_PID must name its JVM');
  broker = { brokers: configured, pid, stop: () => Promise.resolve() };
} else {
  const { startBroker } = await loadDeployModule<KafkaBrokerModule>('deploy/local/kafka/kafka-broker.mjs');
  process.stdout.write('starting a Kafka broker of its own…\n');
  broker = await startBroker();
}

try {
  process.stdout.write(
    `bench:bus-requests — ${fmt(RATE, 0)} events/s for ${SECONDS} s, 2 bus hops, ${PARTITIONS} partitions, ` +
      `broker ${broker.brokers} (pid ${broker.pid})\n\n`,
  );
  const results = new Map<Adapter, RunResult>();
  for (const adapter of adapters)
    results.set(adapter, await run(adapter, broker.brokers.split(','), broker.pid));
  const apis = [...new Set([...results.values()].flatMap((r) => [...r.requests.keys()]))].sort(
    (a, b) =>
      Math.max(...[...results.values()].map((r) => r.requests.get(b) ?? 0)) -
      Math.max(...[...results.values()].map((r) => r.requests.get(a) ?? 0)),
  );
  const rows: string[][] = [['per event handled at the end', ...adapters]];
  const each = (f: (r: RunResult) => string) => adapters.map((a) => f(results.get(a)!));
  rows.push(['events delivered / published', ...each((r) => `${fmt(r.delivered, 0)} / ${fmt(r.events, 0)}`)]);
  for (const api of apis) {
    rows.push([`${api} requests`, ...each((r) => fmt((r.requests.get(api) ?? 0) / r.events, 3))]);
  }
  rows.push([
    'all requests',
    ...each((r) => fmt([...r.requests.values()].reduce((n, c) => n + c, 0) / r.events, 3)),
  ]);
  rows.push(['broker CPU, ms', ...each((r) => fmt(((r.cpu.get('broker') ?? 0) * 1000) / r.events, 3))]);
  rows.push([
    'broker CPU less its idle rate, ms',
    ...each((r) => fmt((((r.cpu.get('broker') ?? 0) - r.brokerIdle) * 1000) / r.events, 3)),
  ]);
  rows.push([
    'this process (both buses) CPU, ms',
    ...each((r) => fmt(((r.cpu.get('this benchmark') ?? 0) * 1000) / r.events, 3)),
  ]);
  rows.push(['2 hops p50 / p99, ms (load distorts)', ...each((r) => `${fmt(r.p50)} / ${fmt(r.p99)}`)]);
  process.stdout.write(formatTable(rows) + '\n');

  const idleRows: string[][] = [
    [
      `idle, per second (2 groups subscribed, nothing published; crashed-member sweep ${DATABASE_URL !== undefined && CRASH_CHECK_INTERVAL_MS > 0 ? `every ${CRASH_CHECK_INTERVAL_MS} ms` : 'off'})`,
      ...adapters,
    ],
  ];
  const idleApis = [...new Set([...results.values()].flatMap((r) => [...r.idleRequests.keys()]))].sort();
  for (const api of idleApis) {
    idleRows.push([`${api} requests`, ...each((r) => fmt((r.idleRequests.get(api) ?? 0) / SECONDS, 2))]);
  }
  idleRows.push([
    'all requests',
    ...each((r) => fmt([...r.idleRequests.values()].reduce((n, c) => n + c, 0) / SECONDS, 2)),
  ]);
  idleRows.push(['this process (both buses) CPU, ms', ...each((r) => fmt((r.idleCpu * 1000) / SECONDS, 1))]);
  idleRows.push(['broker CPU, ms (all it serves)', ...each((r) => fmt((r.idleBroker * 1000) / SECONDS, 1))]);
  process.stdout.write('\n' + formatTable(idleRows) + '\n');
} finally {
  await broker.stop();
}
