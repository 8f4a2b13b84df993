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
 * 3. The widget's sizes, gzipped: the loader every page loads, and everything a customer downloads.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DEFAULT_WORKSPACE_ID, MessageDeliveryRequestedV1, Topics } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import { createTestDatabase, startAppProcess, waitFor } from '@switchboard/testing';
import pg from 'pg';
import WebSocket from 'ws';
import { visitorTokenHash } from '../apps/channel-web/src/contacts/identity-verification.util.js';
import { TRANSCRIPT_CHANNEL, decodeNotice } from '../apps/channel-web/src/transcript/transcript-notice.js';
import { fmt, formatTable, liveMemoryAfterCollection, percentile, useBroker } from './bench.util.js';
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
  },
  [
    // The app's inspector, on loopback: live memory is read after a full garbage collection.
    '--inspect=127.0.0.1:0',
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
const pgMeter = await postgresMeter(database.url);
const statementsBefore = await statementsOf(db);
await pgMeter.start();
const cpuBefore = cpuMsOf(pid);
const due = new Map<string, number>();
const publishSeconds = await publishReplies(total, due);
await waitFor(() => received.size >= total && busSeen.size >= total, {
  timeoutMs: 60_000,
  what: `all ${total} replies on their sockets (have ${received.size})`,
}).catch((error: Error) => process.stdout.write(`${error.message}\n`));

const cpuPerReply = (cpuMsOf(pid) - cpuBefore) / total;
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
