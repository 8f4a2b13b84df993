/**
 * `npm run bench:web`: the web channel's customer sockets, against the built channel-web app in its
 * own process on a real Kafka broker and PostgreSQL.
 *
 * 1. Memory: SOCKETS concurrent widget sockets (each a visitor that said hello with its token);
 *    the app's resident memory before and after, per socket, and what is live after a full
 *    garbage collection (resident size counts garbage not yet collected). Baseline in the same run: a bare `ws`
 *    server in a process of its own holding as many sockets.
 * 2. Delivery latency: RATE agent replies per second (MessageDeliveryRequestedV1 published on the
 *    deliveries topic, to visitors picked at random among the connected ones, each visitor one
 *    customer in one conversation), timed from when
 *    each was due to be published to when its socket received it (open loop), after a warm-up of
 *    WARMUP_SECONDS (argv[5], default 2) at the same rate, delivered and not counted (its p99 is
 *    printed beside). Baseline in the same run: the same events' latency to a plain subscriber of
 *    the deliveries topic (what the bus alone costs). Each reply's time is split by stage: bus → stored (its NOTIFY, heard on a LISTEN
 *    connection of the bench's own, fires when the delivery batch commits) → on the socket.
 *    And what each reply cost PostgreSQL over the phase, drain included (counts that hold under
 *    load where latencies do not): statements by kind (`pg_stat_statements`, where it is loaded),
 *    transactions, WAL flushes, rows and index entries by table, CPU of channel-web's backends.
 *    And who spent the cores over the phase (the app, the broker, PostgreSQL, this benchmark) and
 *    how busy the machine was. `BENCH_ROUNDS=<n>` measures n more phases back to back, each with
 *    its own baseline, and prints every phase's p99 ratio and their median.
 * 3. The widget's sizes, gzipped: the loader every page loads, and everything a customer downloads.
 *
 * `KAFKA_CLIENT=kafkajs|platformatic` runs the app on that client (ADR 0006); the bench's own
 * publisher and baseline subscriber stay on kafkajs, so the baseline is the same whichever the app's.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DEFAULT_WORKSPACE_ID, MessageDeliveryRequestedV1, Topics } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import { createTestDatabase, startAppProcess, waitFor } from '@switchboard/testing';
import pg from 'pg';
import WebSocket from 'ws';
import { visitorTokenHash } from '../apps/channel-web/src/contacts/identity-verification.util.js';
import { TRANSCRIPT_CHANNEL, decodeNotice } from '../apps/channel-web/src/transcript/transcript-notice.js';
import {
  cpuMeter,
  fmt,
  formatTable,
  liveMemoryAfterCollection,
  machineMeter,
  percentile,
  useBroker,
} from './bench.util.js';
import { type PostgresUse, postgresMeter } from './postgres-meter.js';

const SOCKETS = Number(process.argv[2] ?? 10_000);
const RATE = Number(process.argv[3] ?? 1_000);
const SECONDS = Number(process.argv[4] ?? 10);
/** Seconds of replies at RATE before the measured phase, delivered and not counted (below). */
const WARMUP_SECONDS = Number(process.argv[5] ?? 2);
const OPEN_CONCURRENCY = 200;

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

async function openAll<T>(count: number, open: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: OPEN_CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) results[i] = await open(i);
    }),
  );
  return results;
}

const settleMemory = () => new Promise((resolve) => setTimeout(resolve, 3000));

type Statements = Map<string, { calls: number; ms: number; query: string }>;

/**
 * What `pg_stat_statements` has counted for the database so far, by statement (empty where the
 * server does not load it). Its figures are the server's since it started, per database: a phase's
 * are the difference of two readings.
 */
async function statementsOf(client: pg.Pool): Promise<Statements> {
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await client.query<{ id: string; calls: number; ms: number; query: string }>(
      `SELECT queryid::text AS id, calls::float8 AS calls, total_exec_time AS ms,
              regexp_replace(query, '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return new Map(rows.map(({ id, ...r }) => [id, r]));
  } catch {
    return new Map();
  }
}

/** The app's inspector (`--inspect` on loopback, its address read from its output): calls and their results. */
async function inspectorOf(appOutput: string) {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(appOutput)?.[1];
  if (url === undefined) throw new Error("the app's inspector address was not printed");
  const inspector = new WebSocket(url);
  await new Promise((resolve, reject) => inspector.once('open', resolve).once('error', reject));
  let next = 0;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  inspector.on('message', (data: Buffer) => {
    const reply = JSON.parse(data.toString('utf8')) as { id?: number; result?: Record<string, unknown> };
    if (reply.id !== undefined) pending.get(reply.id)?.(reply.result ?? {});
    pending.delete(reply.id ?? -1);
  });
  return {
    call: (method: string, params: object = {}) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const id = ++next;
        pending.set(id, resolve);
        inspector.send(JSON.stringify({ id, method, params }));
      }),
    /** An expression's value in the app, as JSON (`require` available, from the console's API). */
    evaluate: async <T>(expression: string): Promise<T> => {
      const { result } = (await new Promise<Record<string, unknown>>((resolve) => {
        const id = ++next;
        pending.set(id, resolve);
        inspector.send(
          JSON.stringify({
            id,
            method: 'Runtime.evaluate',
            params: { expression, includeCommandLineAPI: true, returnByValue: true },
          }),
        );
      })) as { result?: { value?: string } };
      return JSON.parse(result?.value ?? 'null') as T;
    },
    close: () => inspector.close(),
  };
}

/**
 * Evaluated in the app: every turn of its event loop late by more than 12 ms (a 5 ms timer's),
 * with how much of that time its main thread ran and how much it waited for a core
 * (`/proc/thread-self/schedstat`: ns on a core, ns runnable but waiting); and its garbage
 * collections. `globalThis.__benchStalls()` stops it and returns them as JSON.
 */
const STALL_PROBE = `(() => {
  const fs = require('fs');
  const { PerformanceObserver } = require('perf_hooks');
  const sched = () => fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
  const stalls = [];
  const gcs = [];
  let at = performance.now();
  let last = sched();
  const timer = setInterval(() => {
    const now = performance.now();
    const s = sched();
    if (now - at > 17) stalls.push([now - at, (s[0] - last[0]) / 1e6, (s[1] - last[1]) / 1e6]);
    at = now;
    last = s;
  }, 5);
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([e.detail?.kind ?? e.kind, e.duration]);
  });
  gc.observe({ entryTypes: ['gc'] });
  globalThis.__benchStalls = () => {
    clearInterval(timer);
    gc.disconnect();
    return JSON.stringify({ stalls, gcs });
  };
  return 'null';
})()`;

/**
 * Probes in the app over the measured phase and its drain, for the next engineer looking for the
 * tail: its event-loop stalls (and its own CPU in them), and an allocation profile (V8's sampling
 * heap profiler, objects since collected included) written to `allocationFile`, with bytes
 * allocated per reply and the functions that allocate most.
 */
async function appProbe(appOutput: string, options: { stalls: boolean; allocationFile: string | undefined }) {
  if (!options.stalls && options.allocationFile === undefined)
    return { stop: (_replies: number) => Promise.resolve<string[]>([]) };
  const inspector = await inspectorOf(appOutput);
  const startedAt = performance.now();
  if (options.stalls) await inspector.evaluate(STALL_PROBE);
  if (options.allocationFile !== undefined)
    await inspector.call('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  return {
    stop: async (replies: number): Promise<string[]> => {
      const seconds = (performance.now() - startedAt) / 1000;
      const lines: string[] = [];
      if (options.stalls) {
        const { stalls, gcs } = await inspector.evaluate<{
          stalls: [number, number, number][];
          gcs: [number, number][];
        }>('globalThis.__benchStalls()');
        const sum = (rows: number[][], col: number) => rows.reduce((n, row) => n + row[col]!, 0);
        // perf_hooks' gc kinds: 1 minor (scavenge), 2 major (mark-compact), 4 incremental, 8 weak callbacks.
        const ofKind = (kind: number) => gcs.filter(([k]) => k === kind);
        lines.push(
          `app event loop over ${fmt(seconds)} s (phase and drain): ${stalls.length} turns late by > 12 ms, ` +
            `${fmt(sum(stalls, 0), 0)} ms in all, of which its main thread ran ${fmt(sum(stalls, 1), 0)} ms ` +
            `and waited for a core ${fmt(sum(stalls, 2), 0)} ms; longest ${fmt(Math.max(0, ...stalls.map((s) => s[0])), 0)} ms`,
          `app garbage collections: minor ${fmt(ofKind(1).length / seconds)}/s (${fmt(sum(ofKind(1), 1), 0)} ms, ` +
            `longest ${fmt(Math.max(0, ...ofKind(1).map((g) => g[1])))}), major ${ofKind(2).length} ` +
            `(${fmt(sum(ofKind(2), 1), 0)} ms), incremental marking ${fmt(sum(ofKind(4), 1), 0)} ms`,
        );
      }
      if (options.allocationFile !== undefined) {
        const { profile } = (await inspector.call('HeapProfiler.stopSampling')) as {
          profile: { head: AllocationNode };
        };
        writeFileSync(options.allocationFile, JSON.stringify(profile));
        const byFunction = new Map<string, number>();
        let bytes = 0;
        const walk = (node: AllocationNode) => {
          const { functionName, url, lineNumber } = node.callFrame;
          const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}`;
          byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
          bytes += node.selfSize;
          node.children.forEach(walk);
        };
        walk(profile.head);
        lines.push(
          `app allocation (sampled): ${fmt(bytes / replies / 1024)} KB per reply; most, per reply:`,
          ...[...byFunction]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 15)
            .map(([key, n]) => `  ${fmt(n / replies / 1024, 2)} KB  ${key}`),
        );
      }
      inspector.close();
      return lines;
    },
  };
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

// --- Baseline: a bare ws server holding the same number of sockets.
async function baselineMemory(): Promise<{ perSocket: number }> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { WebSocketServer } from 'ws'; const s = new WebSocketServer({ port: 0, host: '127.0.0.1' }); s.on('listening', () => console.log(s.address().port)); s.on('connection', (ws) => ws.on('message', () => undefined));",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  await settleMemory();
  const before = rssOf(child.pid!);
  const sockets = await openAll(SOCKETS, () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    return new Promise<WebSocket>((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  });
  await settleMemory();
  const after = rssOf(child.pid!);
  for (const ws of sockets) ws.terminate();
  child.kill('SIGTERM');
  return { perSocket: (after - before) / SOCKETS };
}

const baseline = await baselineMemory();

// --- The channel.
const broker = await useBroker();
const database = await createTestDatabase('bench_web');
const topicPrefix = `bench-web-${randomUUID().slice(0, 8)}.`;
const app = await startAppProcess(
  'channel-web',
  {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SWITCHBOARD_DATA_DIR: `/tmp/bench-web-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: 'warn',
    ...(process.env.KAFKA_CLIENT === undefined ? {} : { KAFKA_CLIENT: process.env.KAFKA_CLIENT }),
  },
  [
    // The app's inspector, on loopback: live memory is read after a full garbage collection.
    '--inspect=127.0.0.1:0',
    // `BENCH_APP_NODE_ARGS="--max-semi-space-size=64 …"`: Node's flags for the app, to try a runtime setting.
    ...(process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
    // `BENCH_CPU_PROF_DIR=/tmp/prof`: the app writes a V8 CPU profile there when it stops.
    ...(process.env.BENCH_CPU_PROF_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
      : []),
  ],
);
await app.waitUntilReady(60_000);
const db = new pg.Pool({ connectionString: database.url, max: 4 });
const [{ widget_key: widgetKey }] = (
  await db.query<{ widget_key: string }>(
    'SELECT widget_key FROM channels.web_settings WHERE workspace_id = $1',
    [DEFAULT_WORKSPACE_ID],
  )
).rows as [{ widget_key: string }];

// Visitors seeded as the socket would create them, so that opening 10,000 sockets from one IP is
// not throttled as 10,000 new visitors would be.
// Each visitor is one history customer in one conversation, as in production (history names a web
// visitor's customer by its visitor id): a new customer on every reply would change the contact's
// indexed `customer_id` every time, which no real reply does (ADR 0154).
const visitors = Array.from({ length: SOCKETS }, () => ({
  id: randomUUID(),
  visitorId: `v_${randomBytes(16).toString('base64url')}`,
  token: `vt_${randomBytes(32).toString('base64url')}`,
  customerId: randomUUID(),
  conversationId: randomUUID(),
}));
for (let i = 0; i < visitors.length; i += 1000) {
  const chunk = visitors.slice(i, i + 1000);
  await db.query(
    `INSERT INTO channels.web_contacts (id, workspace_id, visitor_id, token_hash)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[])`,
    [
      chunk.map((v) => v.id),
      chunk.map(() => DEFAULT_WORKSPACE_ID),
      chunk.map((v) => v.visitorId),
      chunk.map((v) => visitorTokenHash(v.token)),
    ],
  );
}

const liveMemory = () => liveMemoryAfterCollection(app.output());

const pid = app.child.pid!;
await settleMemory();
const rssBefore = rssOf(pid);
const liveBefore = await liveMemory();
const wsUrl = `${app.url.replace(/^http/, 'ws')}/ws/widget?key=${widgetKey}`;
const received = new Map<string, number>();
const openStarted = performance.now();
const sockets = await openAll(SOCKETS, (i) => {
  const ws = new WebSocket(wsUrl, { headers: { origin: app.url } });
  return new Promise<WebSocket>((resolve, reject) => {
    let welcomed = false;
    ws.once('error', reject);
    // A socket the app closes before its welcome would leave the run waiting for ever: say why.
    ws.once('close', (code, reason) => {
      if (!welcomed)
        reject(
          new Error(
            `socket ${i} closed before its welcome: ${code} ${reason.toString()}\n${app.output().slice(-2000)}`,
          ),
        );
    });
    ws.once('open', () => ws.send(JSON.stringify({ t: 'hello', token: visitors[i]!.token, since: 0 })));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { t: string; item?: { id: string } };
      if (message.t === 'welcome') {
        welcomed = true;
        resolve(ws);
      } else if (message.t === 'item' && message.item) received.set(message.item.id, performance.now());
    });
  });
});
const openSeconds = (performance.now() - openStarted) / 1000;
await settleMemory();
const rssAfter = rssOf(pid);
const liveAfter = await liveMemory();

// --- Delivery latency at RATE per second.
const bus = new KafkaEventBus({
  brokers: broker.brokers.split(','),
  clientId: 'bench-web',
  topicPrefix,
  partitions: 12,
  replicationFactor: 1,
  // Open loop: a publish the broker is slow to acknowledge is a late reply, not the end of the run.
  publishTimeoutMs: 60_000,
});
const busSeen = new Map<string, number>();
const observer = await bus.subscribe({
  groupId: 'bench.observer',
  topics: [Topics.deliveries],
  accepts: [MessageDeliveryRequestedV1],
  handleBatch: (batch) => {
    const now = performance.now();
    for (const { event } of batch) busSeen.set(event.payload.messageId, now);
    return Promise.resolve();
  },
});
await observer.assigned;
// When each reply was stored: its NOTIFY is sent as the delivery batch commits.
const storedAt = new Map<string, number>();
const listener = new pg.Client({ connectionString: database.url });
await listener.connect();
listener.on('notification', ({ payload }) => {
  const notice = payload === undefined ? null : decodeNotice(payload);
  if (notice?.kind === 'item' && notice.item) storedAt.set(notice.item.id, performance.now());
});
await listener.query(`LISTEN ${TRANSCRIPT_CHANNEL}`);

/**
 * RATE replies a second to visitors picked at random, `count` of them, open loop: each timed (in
 * `due`) from when it was due to be published, whenever the publish happened.
 */
async function publishReplies(count: number, due: Map<string, number>): Promise<number> {
  const publishes: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const at = started + (i * 1000) / RATE;
    const wait = at - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const visitor = visitors[Math.floor(Math.random() * visitors.length)]!;
    const messageId = randomUUID();
    due.set(messageId, at);
    publishes.push(
      bus.emit(
        MessageDeliveryRequestedV1.create({
          workspaceId: DEFAULT_WORKSPACE_ID,
          payload: {
            messageId,
            conversationId: visitor.conversationId,
            customerId: visitor.customerId,
            channel: 'web',
            channelAccountId: widgetKey,
            recipient: { kind: 'web_visitor', address: visitor.visitorId },
            text: `reply ${i}: thanks for waiting, your order ships today.`,
            attachments: [],
            sender: { type: 'agent', id: 'agent-1', name: 'Alex Agent' },
            requestedAt: new Date().toISOString(),
          },
        }),
      ),
    );
  }
  await Promise.all(publishes);
  return (performance.now() - started) / 1000;
}

/** Each reply's latency from when it was due to when `seen` saw it (those seen), sorted. */
const latenciesOf = (due: Map<string, number>, seen: Map<string, number>) =>
  [...due]
    .filter(([id]) => seen.has(id))
    .map(([id, at]) => seen.get(id)! - at)
    .sort((a, b) => a - b);

/**
 * Waits until every reply of `due` is on its socket and seen on the bus (the maps cleared before it
 * was published); says so if not within a minute.
 */
const allDelivered = (due: ReadonlyMap<string, number>) =>
  waitFor(() => received.size >= due.size && busSeen.size >= due.size, {
    timeoutMs: 60_000,
    what: `all ${due.size} replies on their sockets (have ${received.size})`,
  }).catch((error: Error) => process.stdout.write(`${error.message}\n`));

// Warm-up: WARMUP_SECONDS at the same rate, every reply on its socket before the measured phase,
// so that it measures the app as it runs in production — warm — and not its first deliveries
// (the delivery path compiled, its statements prepared, the consumer's first fetches). A cold
// app's first second builds a backlog the rest of the run pays for (ADR 0148); the warm-up's own
// p99 is printed beside the measured one, so that cost stays in sight.
const warmupDue = new Map<string, number>();
await publishReplies(Math.round(RATE * WARMUP_SECONDS), warmupDue);
await waitFor(() => [...warmupDue.keys()].every((id) => received.has(id) && busSeen.has(id)), {
  timeoutMs: 60_000,
  what: `the warm-up's ${warmupDue.size} replies on their sockets`,
});
const warmup = { socket: latenciesOf(warmupDue, received), bus: latenciesOf(warmupDue, busSeen) };
received.clear();
busSeen.clear();
storedAt.clear();

const total = Math.round(RATE * SECONDS);
// `BENCH_WEB_STALLS=1`, `BENCH_WEB_ALLOC=<file>`: probes in the app over the phase (below).
const probe = await appProbe(app.output(), {
  stalls: process.env.BENCH_WEB_STALLS === '1',
  allocationFile: process.env.BENCH_WEB_ALLOC,
});
const pgMeter = await postgresMeter(database.url);
const statementsBefore = await statementsOf(db);
// Who spent the two cores over the phase: on this machine the benchmark's own 10,000 sockets and
// Kafka clients share them with the app, its PostgreSQL and the broker.
const cpu = cpuMeter(
  { 'channel-web': pid, ...(broker.pid === undefined ? {} : { 'Kafka broker': broker.pid }) },
  { PostgreSQL: 'postgres' },
);
const machine = machineMeter();
await pgMeter.start();
const cpuBefore = cpuMsOf(pid);
cpu.start();
machine.start();
const phaseStarted = performance.now();
const due = new Map<string, number>();
const publishSeconds = await publishReplies(total, due);
await allDelivered(due);
const machineBusy = machine.take();
const cpuByProcess = cpu.take();
const phaseSeconds = (performance.now() - phaseStarted) / 1000;

const cpuPerReply = (cpuMsOf(pid) - cpuBefore) / total;
const probed = await probe.stop(total);
const postgres: PostgresUse = await pgMeter.take();
const statementsAfter = await statementsOf(db);
await pgMeter.close();
const statements = [...statementsAfter]
  .map(([id, after]) => {
    const before = statementsBefore.get(id);
    return { ...after, calls: after.calls - (before?.calls ?? 0), ms: after.ms - (before?.ms ?? 0) };
  })
  .filter((s) => s.calls > 0 && !s.query.includes('pg_stat_statements') && !s.query.includes('pg_stat_'))
  .sort((a, b) => b.calls - a.calls);
const socketLatency = latenciesOf(due, received);
const busLatency = latenciesOf(due, busSeen);
/** Per reply, the time from one stage to the next (both seen), sorted. */
const stage = (from: Map<string, number>, to: Map<string, number>) =>
  [...due.keys()]
    .filter((id) => from.has(id) && to.has(id))
    .map((id) => to.get(id)! - from.get(id)!)
    .sort((a, b) => a - b);
const stages = [
  ['due → bus', stage(due, busSeen)],
  ['bus → stored', stage(busSeen, storedAt)],
  ['stored → socket', stage(storedAt, received)],
] as const;

// `BENCH_WEB_TRACE=/tmp/web.csv`: every reply's times (ms since the epoch: due, seen on the bus,
// stored, on its socket; empty where not seen), to see when in the run a tail happens.
if (process.env.BENCH_WEB_TRACE) {
  const epoch = (t: number | undefined) => (t === undefined ? '' : (performance.timeOrigin + t).toFixed(2));
  writeFileSync(
    process.env.BENCH_WEB_TRACE,
    `due,bus,stored,socket\n${[...due]
      .map(([id, at]) => [at, busSeen.get(id), storedAt.get(id), received.get(id)].map(epoch).join(','))
      .join('\n')}\n`,
  );
}

// `BENCH_ROUNDS=<n>`: n more measured phases like the first, back to back on the same warm app,
// each with its own baseline (the same replies' bus latency). This machine's speed drifts from
// minute to minute (ADR 0169) and a p99 of 10,000 replies is a hundred of them: one phase's ratio is
// a sample, the median of several a figure.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 0);
const rounds = [{ socket: percentile(socketLatency, 99), bus: percentile(busLatency, 99) }];
for (let round = 1; round <= ROUNDS; round += 1) {
  received.clear();
  busSeen.clear();
  storedAt.clear();
  const roundDue = new Map<string, number>();
  await publishReplies(total, roundDue);
  await allDelivered(roundDue);
  rounds.push({
    socket: percentile(latenciesOf(roundDue, received), 99),
    bus: percentile(latenciesOf(roundDue, busSeen), 99),
  });
}

await observer.stop();
await bus.close();
await listener.end();
for (const ws of sockets) ws.terminate();
await app.stop();
await db.end();
await database.drop();
await broker.stop();

const widget = ['widget.js', 'panel.js'].map(
  (name) => gzipSync(readFileSync(`dist/widget/${name}`), { level: 9 }).length,
);
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

process.stdout.write(
  `\nbench:web — ${SOCKETS.toLocaleString('en-US')} sockets, ${RATE}/s for ${SECONDS} s after ${WARMUP_SECONDS} s of warm-up\n\n`,
);
process.stdout.write(
  `${formatTable([
    ['memory', 'channel-web', 'baseline: bare ws server'],
    ['per socket', kb((rssAfter - rssBefore) / SOCKETS), kb(baseline.perSocket)],
    ['live after a full collection, per socket', kb((liveAfter - liveBefore) / SOCKETS), ''],
    ['RSS before → after', `${fmt(rssBefore / 2 ** 20, 0)} → ${fmt(rssAfter / 2 ** 20, 0)} MB`, ''],
    ['sockets opened (hello → welcome)', `${fmt(SOCKETS / openSeconds, 0)}/s`, ''],
  ])}\n\n`,
);
process.stdout.write(
  `${formatTable([
    ['delivery latency (ms)', 'to the socket', 'baseline: bus to a subscriber'],
    ['delivered', `${socketLatency.length}/${total}`, `${busLatency.length}/${total}`],
    ['p50', fmt(percentile(socketLatency, 50)), fmt(percentile(busLatency, 50))],
    ['p99', fmt(percentile(socketLatency, 99)), fmt(percentile(busLatency, 99))],
    ['max', fmt(socketLatency.at(-1) ?? Number.NaN), fmt(busLatency.at(-1) ?? Number.NaN)],
    ['publish rate achieved', `${fmt(total / publishSeconds, 0)}/s`, ''],
    ['app CPU per reply', `${fmt(cpuPerReply, 2)} ms`, ''],
    [
      `warm-up before it (${fmt(warmupDue.size, 0)} replies, the app cold), p50 / p99`,
      `${fmt(percentile(warmup.socket, 50))} / ${fmt(percentile(warmup.socket, 99))}`,
      `${fmt(percentile(warmup.bus, 50))} / ${fmt(percentile(warmup.bus, 99))}`,
    ],
  ])}\n\n`,
);
const ratios = rounds.map((r) => r.socket / r.bus);
if (rounds.length > 1)
  process.stdout.write(
    `${formatTable([
      ['phase', 'p99 to the socket (ms)', 'p99 bus to a subscriber (ms)', 'ratio', 'target'],
      ...rounds.map((r, i) => [
        i === 0 ? '1 (the one above)' : String(i + 1),
        fmt(r.socket),
        fmt(r.bus),
        fmt(ratios[i]!, 2),
        '≤ 1.5',
      ]),
      [
        `median of ${rounds.length} (met in ${ratios.filter((ratio) => ratio <= 1.5).length})`,
        '',
        '',
        fmt(
          percentile(
            [...ratios].sort((a, b) => a - b),
            50,
          ),
          2,
        ),
        '≤ 1.5',
      ],
    ])}\n\n`,
  );
process.stdout.write(
  `${formatTable([
    ['CPU over the phase (share of one core)', ''],
    ...[...cpuByProcess].map(([label, seconds]) => [label, `${fmt((100 * seconds) / phaseSeconds, 0)} %`]),
    [`the machine (${availableParallelism()} cores), busy`, `${fmt(100 * machineBusy, 1)} %`],
  ])}\n\n`,
);
process.stdout.write(
  `${formatTable([
    ['stage (ms)', 'p50', 'p99', 'max'],
    ...stages.map(([name, times]) => [
      name,
      fmt(percentile(times, 50)),
      fmt(percentile(times, 99)),
      fmt(times.at(-1) ?? Number.NaN),
    ]),
  ])}\n\n`,
);
const perReply = (n: number, digits = 2) => fmt(n / total, digits);
process.stdout.write(
  `${formatTable([
    ['PostgreSQL, per reply (the phase and its drain)', ''],
    [
      'statements',
      statements.length > 0
        ? perReply(statements.reduce((n, s) => n + s.calls, 0))
        : 'n/a (pg_stat_statements not loaded)',
    ],
    ['transactions committed', perReply(postgres.transactions)],
    ['WAL flushes (the whole server)', perReply(postgres.walSyncs, 3)],
    ...[...postgres.cpu]
      .filter(([label]) => label.startsWith('client: '))
      .map(([label, seconds]) => [`CPU ms, ${label}`, perReply(seconds * 1000, 3)]),
    ...[...postgres.tables].map(([table, t]) => [
      `  ${table}`,
      `ins ${perReply(t.inserted)} upd ${perReply(t.updated)} (HOT ${perReply(t.hotUpdated)}); ` +
        `${t.indexes} indexes: ${perReply((t.inserted + t.updated - t.hotUpdated) * t.indexes, 1)} entries`,
    ]),
  ])}\n\n`,
);
if (probed.length > 0) process.stdout.write(`${probed.join('\n')}\n\n`);
if (statements.length > 0)
  process.stdout.write(
    `${formatTable([
      ['calls per reply', 'exec ms per reply', 'statement'],
      ...statements.slice(0, 12).map((s) => [perReply(s.calls, 3), perReply(s.ms, 3), s.query.slice(0, 110)]),
    ])}\n\n`,
  );
process.stdout.write(
  `${formatTable([
    ['widget (gzipped)', 'size', 'budget'],
    ['loader (widget.js)', kb(widget[0]!), '5 KB'],
    ['everything (loader + panel)', kb(widget[0]! + widget[1]!), '40 KB'],
  ])}\n`,
);
process.exit(0);
