/**
 * `npm run bench:inbox-live`: the inbox's live fan-out at contact-centre scale (issue 20). One
 * standalone process on the real Kafka broker and PostgreSQL; 1,000 users signed in on it, each
 * with `/ws/inbox` open (980 agents and 20 supervisors); 10,000 conversations, each assigned to one
 * agent by a routing decision on the log; then messages appended at 500/s across them. Prints the
 * memory each socket costs the process, and the p99 from the event's publish on the log to its
 * frame on the right sockets (its agent's and every supervisor's), beside the bus's own
 * publish→handle p99 for the same events in the same run. Target: p99 ≤ 1.5 × the bus's.
 * Checked on the way: no agent receives a message of a conversation held by another, and every
 * right socket receives every message. `node dist/bench/inbox-live.bench.js <rate> <seconds>`.
 */
import {
  ConversationAssignedV1,
  ConversationMessageAppendedV1,
  DEFAULT_WORKSPACE_ID,
  Topics,
} from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import {
  type PrometheusScrape,
  createTestDatabase,
  parsePrometheusText,
  startAppProcess,
} from '@switchboard/testing';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import WebSocket from 'ws';
import {
  chartAppSettings,
  fmt,
  formatTable,
  liveMemoryAfterCollection,
  percentile,
  useBroker,
} from './bench.util.js';

const RATE = Number(process.argv[2] ?? 500);
const SECONDS = Number(process.argv[3] ?? 20);
const AGENTS = 980;
const SUPERVISORS = 20;
const CONVERSATIONS = 10_000;
const WORKSPACE = DEFAULT_WORKSPACE_ID;

const run = randomBytes(4).toString('hex');
const broker = await useBroker();
const database = await createTestDatabase('bench_inbox_live');
const topicPrefix = `bench-live-${run}.`;
/**
 * `BENCH_INBOX_ALONE=1`: the inbox app alone, as a distributed deployment runs it, rather than the
 * standalone process with every app's consumer groups on its event loop. Its internal RPC clients
 * point nowhere: the bench's conversations are all decided on the log, so the live feed never asks
 * history who holds one.
 */
const inboxAlone = process.env.BENCH_INBOX_ALONE === '1';
/** `BENCH_APP_NODE_ARGS="--trace-gc …"`: Node's flags for the app beside its inspector, to try a runtime setting. */
const appNodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
const nowhere = 'tcp://127.0.0.1:9';
/**
 * The inbox's entry in the Helm chart of the tree the bench runs in (`apps.inbox`): the inbox alone
 * runs with production's Node flags (`nodeArgs`: its heap, ADRs 0158 and 0166) and Kafka client
 * (`env`, ADR 0165); a tree whose chart sets none runs with Node's and the library's defaults.
 */
const chartInbox = inboxAlone ? chartAppSettings('inbox') : undefined;
/** `KAFKA_CLIENT` when set; the inbox alone otherwise runs on the client the chart gives it. */
const kafkaClient = process.env.KAFKA_CLIENT ?? chartInbox?.env.KAFKA_CLIENT;
/**
 * The standalone process's Node flags as `npm run start:standalone` gives them (ADR 0162), read
 * from the tree's package.json: it runs as `npm start` and the image run it.
 */
function standaloneNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const flags = /node ((?:--\S+ )*)dist\/apps\/standalone\/main\.js/.exec(
    scripts['start:standalone'] ?? '',
  )?.[1];
  return (flags ?? '').split(' ').filter((flag) => flag !== '');
}
const startFlags = chartInbox ? [...chartInbox.nodeArgs] : standaloneNodeFlags();
const app = await startAppProcess(
  inboxAlone ? 'inbox' : 'standalone',
  {
    ...(inboxAlone
      ? {
          INTERNAL_API_TOKEN: randomUUID() + randomUUID(),
          HISTORY_API_URL: nowhere,
          ROUTING_API_URL: nowhere,
          BOT_API_URL: nowhere,
          REPORTING_API_URL: nowhere,
          CHANNEL_WEB_API_URL: nowhere,
          CHANNEL_SMS_API_URL: nowhere,
          GRPC_API_URL: nowhere,
        }
      : {}),
    DATABASE_URL: database.url,
    KAFKA_BROKERS: broker.brokers,
    // `KAFKA_CLIENT=platformatic`: the app's bus on @platformatic/kafka (the bench's own stays on kafkajs).
    ...(kafkaClient ? { KAFKA_CLIENT: kafkaClient } : {}),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    PUBLIC_BASE_URL: 'https://bench.example.test',
    SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL: 'bench@example.test',
    ADMIN_PASSWORD: 'bench password 123',
    LOG_LEVEL: 'warn',
  },
  [
    ...startFlags,
    // The app's inspector, on loopback: memory is read after a full garbage collection, and the
    // measured phase profiled (`BENCH_CPU_PROF_DIR`).
    '--inspect=127.0.0.1:0',
    ...appNodeArgs,
  ],
);
const bus = new KafkaEventBus({
  brokers: broker.brokers.split(','),
  clientId: 'bench-inbox-live',
  topicPrefix,
  partitions: 12,
  replicationFactor: 1,
});

interface User {
  readonly id: string;
  readonly supervisor: boolean;
  readonly token: string;
}

/** Users and their sessions straight in the tables, as accepted invites and sign-ins leave them. */
async function signIn(): Promise<User[]> {
  const users: User[] = Array.from({ length: AGENTS + SUPERVISORS }, (_, i) => ({
    id: randomUUID(),
    supervisor: i >= AGENTS,
    token: randomBytes(32).toString('base64url'),
  }));
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  try {
    await db.query(`INSERT INTO inbox.workspaces (id, name) VALUES ($1, 'Bench') ON CONFLICT DO NOTHING`, [
      WORKSPACE,
    ]);
    await db.query(
      `INSERT INTO inbox.users (id, workspace_id, email, display_name, role, password_hash)
       SELECT id, $1, 'user-' || id || '@example.test', 'User ' || id, role, 'no password: signed in by the bench'
       FROM unnest($2::uuid[], $3::text[]) AS u(id, role)`,
      [WORKSPACE, users.map((u) => u.id), users.map((u) => (u.supervisor ? 'supervisor' : 'agent'))],
    );
    await db.query(
      `INSERT INTO inbox.sessions (id, token_hash, csrf_token, user_id, workspace_id, expires_at)
       SELECT gen_random_uuid(), hash, 'csrf', user_id, $1, now() + interval '1 day'
       FROM unnest($2::bytea[], $3::uuid[]) AS s(hash, user_id)`,
      [
        WORKSPACE,
        users.map((u) => createHash('sha256').update(u.token, 'utf8').digest()),
        users.map((u) => u.id),
      ],
    );
  } finally {
    await db.end();
  }
  return users;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux): load does not distort it. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Write system calls (write, writev, send…) a process has made so far, from /proc (Linux). */
function writeCallsOf(pid: number): number {
  return Number(/syscw:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? Number.NaN);
}

/** Transactions committed on the app's database so far (every statement the app runs is one). */
async function transactionsOf(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]!.n);
}

/** The process's resident memory, from /proc (Linux). */
function rssBytes(field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${app.child.pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) * 1024;
}

interface Memory {
  /** Resident: what the process holds, garbage and the allocator's free pages included. */
  readonly rss: number;
  /** What is live after a full collection: V8's heap, and Buffers' memory outside it. */
  readonly live: number;
}

/** The app's resident memory, and what is live after a full collection (bench.util.ts). */
async function memoryAfterCollection(snapshotFile?: string): Promise<Memory> {
  const live = await liveMemoryAfterCollection(app.output(), snapshotFile);
  return { rss: rssBytes(), live };
}

const sentAt = new Map<string, number>();
const deliveries: number[] = [];
/** Each timed frame's publish and arrival (the bench's `performance.now()`), to line up with the app's collections. */
const deliveredSpans: { from: number; to: number }[] = [];
const busLatencies: number[] = [];
const holderOf = new Map<string, string>();
let measuring = false;
let wrongDeliveries = 0;
let framesReceived = 0;
let decisionsSeen = 0;

/** Only the few fields needed, without parsing 21 frames per message. */
function field(frame: string, name: string): string | undefined {
  const at = frame.indexOf(`"${name}":"`);
  if (at < 0) return undefined;
  const start = at + name.length + 4;
  return frame.slice(start, frame.indexOf('"', start));
}

/** A frame read: timed from `at`, when it came off its socket, if it came in the measured phase. */
function onFrame(user: User, data: string, at: number, timed: boolean): void {
  if (field(data, 'type') !== 'event') return;
  if (data.includes(`"type":"${ConversationAssignedV1.type}"`)) {
    if (user.supervisor) decisionsSeen += 1;
    return;
  }
  if (!data.includes(`"type":"${ConversationMessageAppendedV1.type}"`)) return;
  const conversationId = field(data, 'conversationId');
  if (conversationId === undefined) return;
  if (!user.supervisor && holderOf.get(conversationId) !== user.id) wrongDeliveries += 1;
  const start = sentAt.get(field(data.slice(data.indexOf('"event":{')), 'id') ?? '');
  if (timed && start !== undefined) {
    deliveries.push(at - start);
    deliveredSpans.push({ from: start, to: at });
  }
}

/**
 * Message frames that arrived in the measured phase, read once it is over. On two cores the
 * bench's own reading of 10,500 frames a second is part of what it measures: a frame read at
 * once waits for the reading of every frame that came before it in the same turn of the event
 * loop (a supervisor's share of a batch is fifty frames), and takes the machine from the app. Only
 * the time of arrival and the bytes are kept on the way; the same checks run on them afterwards.
 */
const arrived: { user: User; at: number; data: Buffer }[] = [];
const MESSAGE_FRAME = Buffer.from(`"type":"${ConversationMessageAppendedV1.type}"`);

function onMessage(user: User, data: Buffer): void {
  framesReceived += 1;
  const at = performance.now();
  if (measuring && data.includes(MESSAGE_FRAME)) arrived.push({ user, at, data });
  else onFrame(user, data.toString('utf8'), at, measuring);
}

/** Reads the frames kept in the measured phase. */
function readArrived(): void {
  for (const { user, at, data } of arrived.splice(0)) onFrame(user, data.toString('utf8'), at, true);
}

async function openSockets(users: readonly User[]): Promise<WebSocket[]> {
  const url = `${app.url.replace(/^http/, 'ws')}/ws/inbox`;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < users.length; i += 50) {
    sockets.push(
      ...(await Promise.all(
        users.slice(i, i + 50).map(
          (user) =>
            new Promise<WebSocket>((resolve, reject) => {
              const socket = new WebSocket(url, {
                headers: { cookie: `sb_inbox_session=${user.token}`, origin: app.url },
                // The browser checks its frames' UTF-8; the bench's time is for reading them.
                skipUTF8Validation: true,
              });
              let greeted = false;
              socket.on('message', (data: Buffer) => {
                if (greeted) return onMessage(user, data);
                greeted = data.toString('utf8').startsWith('{"type":"hello"');
                if (greeted) resolve(socket);
                else onMessage(user, data);
              });
              socket.once('close', (code) => reject(new Error(`socket closed: ${code}`)));
              socket.once('error', reject);
            }),
        ),
      )),
    );
  }
  return sockets;
}

/** The app's metrics now. */
async function scrape(): Promise<PrometheusScrape> {
  const response = await fetch(`${app.url}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return parsePrometheusText(await response.text());
}

/**
 * A percentile of what a histogram counted between two scrapes, as the upper bound of the bucket
 * it falls in (so "≤ this many ms").
 */
function bucketPercentile(
  before: PrometheusScrape,
  after: PrometheusScrape,
  name: string,
  labels: Readonly<Record<string, string>>,
  p: number,
): { count: number; ms: number } {
  const counted = (scrape: PrometheusScrape, le: string) => scrape.sum(`${name}_bucket`, { ...labels, le });
  const bounds = after
    .find(`${name}_bucket`, labels)
    .map((s) => s.labels.le!)
    .filter((le) => le !== '+Inf')
    .sort((a, b) => Number(a) - Number(b));
  const count = counted(after, '+Inf') - counted(before, '+Inf');
  const bound = bounds.find((le) => counted(after, le) - counted(before, le) >= (p / 100) * count);
  return { count, ms: bound === undefined ? Number.POSITIVE_INFINITY : Number(bound) * 1000 };
}

/**
 * `BENCH_CPU_PROF_DIR=/tmp/prof`: a V8 CPU profile of the app over the measured phase only (the
 * sign-ins' presence wave and the assignments, which dwarf it, left out), taken through its
 * inspector and written there for Chrome's DevTools (Performance) when the phase ends.
 * `BENCH_ALLOC_PROF_DIR=/tmp/prof`: a sampling profile of what the app allocates over the phase
 * instead (one sample every 32 KiB allocated, objects collected since included), for DevTools'
 * Memory panel: where the garbage behind the collections comes from.
 */
async function profileApp(dir: string, kind: 'cpu' | 'alloc'): Promise<{ stop: () => Promise<string> }> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(app.output())?.[1];
  if (url === undefined) throw new Error("the app's inspector address was not printed");
  const inspector = new WebSocket(url, { maxPayload: 2 ** 30 });
  await new Promise((resolve, reject) => inspector.once('open', resolve).once('error', reject));
  let next = 0;
  const call = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      const onMessage = (data: Buffer) => {
        const reply = JSON.parse(data.toString('utf8')) as { id?: number; result?: T; error?: unknown };
        if (reply.id !== id) return;
        inspector.off('message', onMessage);
        if (reply.error !== undefined) reject(new Error(`${method}: ${JSON.stringify(reply.error)}`));
        else resolve(reply.result!);
      };
      inspector.on('message', onMessage);
      inspector.send(JSON.stringify({ id, method, params }));
    });
  if (kind === 'cpu') {
    await call('Profiler.enable');
    // Node's own `--cpu-prof` default: one sample a millisecond.
    await call('Profiler.setSamplingInterval', { interval: 1000 });
    await call('Profiler.start');
  } else {
    await call('HeapProfiler.enable');
    await call('HeapProfiler.startSampling', {
      samplingInterval: 32_768,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  return {
    stop: async () => {
      try {
        const file = `${dir}/inbox-live-${run}.${kind === 'cpu' ? 'cpuprofile' : 'heapprofile'}`;
        const { profile } =
          kind === 'cpu'
            ? await call<{ profile: unknown }>('Profiler.stop')
            : await call<{ profile: unknown }>('HeapProfiler.stopSampling');
        writeFileSync(file, JSON.stringify(profile));
        return file;
      } finally {
        inspector.close();
      }
    },
  };
}

/** The app's `performance.timeOrigin` (ms since the epoch), read through its inspector. */
async function appTimeOrigin(): Promise<number> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(app.output())?.[1];
  if (url === undefined) throw new Error("the app's inspector address was not printed");
  const inspector = new WebSocket(url);
  await new Promise((resolve, reject) => inspector.once('open', resolve).once('error', reject));
  try {
    return await new Promise<number>((resolve) => {
      inspector.on('message', (data: Buffer) => {
        const reply = JSON.parse(data.toString('utf8')) as {
          id?: number;
          result?: { result?: { value?: number } };
        };
        if (reply.id === 1) resolve(reply.result?.result?.value ?? Number.NaN);
      });
      inspector.send(
        JSON.stringify({
          id: 1,
          method: 'Runtime.evaluate',
          params: { expression: 'performance.timeOrigin' },
        }),
      );
    });
  } finally {
    inspector.close();
  }
}

/**
 * With `BENCH_APP_NODE_ARGS=--trace-gc`: the app's collections in the measured phase (from its
 * trace, timed from the isolate's start, which is within a few ms of the process's time origin), on
 * the bench's clock, and how many of the frames slower than the p99 had one inside their span.
 */
async function collectionsBesideSlowFrames(
  fromMs: number,
  toMs: number,
  p99: number,
): Promise<string | undefined> {
  const trace = [
    ...app
      .output()
      .matchAll(/^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: (\S+(?: \(\w+\))?) .*?MB, ([\d.]+) \/ [\d.]+ ms/gm),
  ];
  if (trace.length === 0) return undefined;
  // The app's clock to the bench's: both are performance.now() against their own time origin.
  const shift = (await appTimeOrigin()) - performance.timeOrigin;
  const pauses = trace
    .map((m) => ({ kind: m[2]!, ms: Number(m[3]), end: Number(m[1]) + shift }))
    .map((p) => ({ ...p, start: p.end - p.ms }))
    .filter((p) => p.end >= fromMs && p.start <= toMs);
  const slow = deliveredSpans.filter((d) => d.to - d.from > p99);
  const paused = (d: { from: number; to: number }) =>
    pauses.some((p) => p.end > d.from && p.start < d.to && p.ms >= 1);
  const withPause = slow.filter(paused);
  // Beside it, the share of every frame that had one: the slow frames' share means something only above it.
  const everyWithPause = deliveredSpans.filter(paused).length / deliveredSpans.length;
  const longest = pauses.reduce((max, p) => Math.max(max, p.ms), 0);
  const byKind = new Map<string, { n: number; ms: number }>();
  for (const p of pauses) {
    const k = byKind.get(p.kind) ?? { n: 0, ms: 0 };
    byKind.set(p.kind, { n: k.n + 1, ms: k.ms + p.ms });
  }
  return (
    `the app's --trace-gc in the phase: ${[...byKind].map(([kind, k]) => `${kind} ${k.n} (${fmt(k.ms, 0)} ms)`).join(', ')}, ` +
    `the longest ${fmt(longest, 1)} ms; of the ${slow.length} frames slower than the p99, ` +
    `${withPause.length} had a collection of ≥ 1 ms inside their span (of every frame, ${fmt(everyWithPause * 100, 1)} %)`
  );
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until no frame has arrived for `quietMs` (or `timeoutMs` passed). */
async function quiet(quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = -1;
  while (seen !== framesReceived && Date.now() < deadline) {
    seen = framesReceived;
    await settle(quietMs);
  }
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await settle(200);
  return done();
}

/**
 * The measured phase's profile while it is taken: stopped in `finally` if the phase fails, since an
 * app with an inspector client attached waits for it to leave before exiting, and the bench would
 * wait on the app's exit without ever printing its error.
 */
let profiling: { stop: () => Promise<string> } | undefined;
try {
  await app.waitUntilReady(120_000);
  const users = await signIn();
  const agents = users.filter((u) => !u.supervisor);
  const conversations = Array.from({ length: CONVERSATIONS }, (_, i) => {
    const id = randomUUID();
    holderOf.set(id, agents[i % agents.length]!.id);
    return { id, customerId: randomUUID(), sequence: 0 };
  });

  // The bus's own latency for the same events: a subscriber in this process, as the inbox's is in its.
  const subscription = await bus.subscribe({
    groupId: `bench-live-${run}`,
    ephemeral: true,
    topics: [Topics.conversations],
    accepts: [ConversationMessageAppendedV1],
    handleBatch: (batch) => {
      const now = performance.now();
      for (const { event } of batch) {
        const start = sentAt.get(event.id);
        if (measuring && start !== undefined) busLatencies.push(now - start);
      }
      return Promise.resolve();
    },
  });
  await subscription.assigned;

  await settle(3_000);
  const before = await memoryAfterCollection();
  const sockets = await openSockets(users);
  // Every sign-in's presence reaches every socket: let that wave pass before reading memory.
  await quiet(3_000, 180_000);
  const rssAfterWave = rssBytes();
  // `BENCH_HEAP_SNAPSHOT_DIR=/tmp/heap`: the app's heap then, for Chrome's DevTools (Memory).
  const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  const after = await memoryAfterCollection(
    snapshotDir ? `${snapshotDir}/inbox-live-${run}.heapsnapshot` : undefined,
  );
  const perSocket = (after.live - before.live) / sockets.length;
  const rssPerSocket = (rssAfterWave - before.rss) / sockets.length;

  // Routing's decisions: each conversation to one agent.
  const assignedAt = new Date().toISOString();
  for (let i = 0; i < conversations.length; i += 500) {
    await bus.emit(
      conversations.slice(i, i + 500).map((c) =>
        ConversationAssignedV1.create({
          workspaceId: WORKSPACE,
          payload: {
            conversationId: c.id,
            queueId: null,
            agentId: holderOf.get(c.id)!,
            mode: 'assign',
            assignedAt,
            explanation: { step: null, reason: 'bench', candidates: [] },
          },
        }),
      ),
    );
  }
  // Measured once the inbox has taken them all in (every supervisor sees every decision).
  const decided = performance.now();
  if (!(await until(() => decisionsSeen >= CONVERSATIONS * SUPERVISORS, 300_000)))
    throw new Error(
      `only ${decisionsSeen} of ${CONVERSATIONS * SUPERVISORS} decisions reached the supervisors`,
    );
  const decisionsSeconds = (performance.now() - decided) / 1000;
  await quiet(2_000, 60_000);

  // Open loop: RATE messages a second across the conversations, each timed from its publish.
  measuring = true;
  const metricsBefore = await scrape();
  const stats = new pg.Client({ connectionString: database.url });
  await stats.connect();
  const transactionsBefore = await transactionsOf(stats);
  // The bench's own event loop: a frame or a bus record waiting on it adds to both sides' figures.
  const benchLoop = monitorEventLoopDelay({ resolution: 10 });
  benchLoop.enable();
  const benchCpuBefore = process.cpuUsage();
  const appCpuBefore = cpuMsOf(app.child.pid!);
  const appWritesBefore = writeCallsOf(app.child.pid!);
  profiling = process.env.BENCH_CPU_PROF_DIR
    ? await profileApp(process.env.BENCH_CPU_PROF_DIR, 'cpu')
    : process.env.BENCH_ALLOC_PROF_DIR
      ? await profileApp(process.env.BENCH_ALLOC_PROF_DIR, 'alloc')
      : undefined;
  const total = RATE * SECONDS;
  const started = performance.now();
  const publishes: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await settle(wait);
    const conversation = conversations[Math.floor(Math.random() * conversations.length)]!;
    conversation.sequence += 1;
    const event = ConversationMessageAppendedV1.create({
      workspaceId: WORKSPACE,
      payload: {
        conversationId: conversation.id,
        customerId: conversation.customerId,
        messageId: randomUUID(),
        sequence: conversation.sequence,
        direction: 'in',
        channel: 'sms',
        channelAccountId: 'bench',
        text: `Message ${i}: is my order on its way?`,
        attachments: [],
        sender: { type: 'customer', id: conversation.customerId },
        createdAt: new Date().toISOString(),
        openedConversation: false,
      },
    });
    sentAt.set(event.id, performance.now());
    publishes.push(bus.emit(event));
  }
  await Promise.all(publishes);
  const achieved = total / ((performance.now() - started) / 1000);
  const expected = total * (1 + SUPERVISORS);
  // Every message frame arrived (read then: deliveries counts them), or the wait is over.
  await until(() => {
    if (arrived.length + deliveries.length >= expected) readArrived();
    return deliveries.length >= expected && busLatencies.length >= total;
  }, 120_000);
  measuring = false;
  const ended = performance.now();
  readArrived();
  const profileFile = await profiling?.stop();
  profiling = undefined;
  benchLoop.disable();
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const benchCpuPerMessage = (benchCpu.user + benchCpu.system) / 1000 / total;
  const metricsAfter = await scrape();
  // PostgreSQL publishes a backend's counts within a second or so of its transactions.
  await settle(2_000);
  const transactionsPerMessage = ((await transactionsOf(stats)) - transactionsBefore) / total;
  await stats.end();
  // Everything the process did meanwhile (every app of the standalone process, if it is), per message.
  const appCpuPerMessage = (cpuMsOf(app.child.pid!) - appCpuBefore) / total;
  // Its write system calls: the sockets' frames, and its Kafka and PostgreSQL requests.
  const appWritesPerMessage = (writeCallsOf(app.child.pid!) - appWritesBefore) / total;

  deliveries.sort((a, b) => a - b);
  busLatencies.sort((a, b) => a - b);
  const row = (name: string, l: number[], count: string) => [
    name,
    count,
    fmt(percentile(l, 50), 1),
    fmt(percentile(l, 99), 1),
    fmt(l[l.length - 1] ?? Number.NaN, 1),
  ];
  process.stdout.write(
    `bench:inbox-live — ${users.length} sockets (${AGENTS} agents, ${SUPERVISORS} supervisors) on one ` +
      `${inboxAlone ? 'inbox process alone' : 'standalone process'}, ${CONVERSATIONS} conversations, ${RATE} messages/s for ${SECONDS} s ` +
      `(${fmt(achieved, 0)}/s achieved); the ${CONVERSATIONS} assignments reached the supervisors in ` +
      `${fmt(decisionsSeconds, 1)} s; the app started with ${startFlags.length > 0 ? startFlags.join(' ') : "Node's defaults"}, ` +
      `its Kafka client ${kafkaClient ?? 'kafkajs (the default)'}` +
      `${appNodeArgs.length > 0 ? `, flags ${appNodeArgs.join(' ')}` : ''}\n\n`,
  );
  process.stdout.write(
    formatTable([
      ['measure', 'count', 'p50 ms', 'p99 ms', 'max ms'],
      row('bus: publish → handled by a subscriber (baseline)', busLatencies, `${busLatencies.length} events`),
      row(
        'inbox: publish → frame on the right socket',
        deliveries,
        `${deliveries.length} of ${expected} frames`,
      ),
    ]) + '\n\n',
  );
  // Inside the app: each stage's delay from the event's occurredAt (its creation, just before its publish).
  const delay = 'switchboard_inbox_live_delay_seconds';
  const stageRow = (stage: string, label: string) => {
    const p50 = bucketPercentile(metricsBefore, metricsAfter, delay, { stage }, 50);
    const p99 = bucketPercentile(metricsBefore, metricsAfter, delay, { stage }, 99);
    return [label, `${p50.count} events`, `≤ ${fmt(p50.ms, 1)}`, `≤ ${fmt(p99.ms, 1)}`, ''];
  };
  // The app's collections in the phase, by kind (prom-client's `nodejs_gc_duration_seconds`).
  const gc = 'nodejs_gc_duration_seconds';
  const collections = ['minor', 'incremental', 'major', 'weakcb']
    .map((kind) => {
      const count = metricsAfter.sum(`${gc}_count`, { kind }) - metricsBefore.sum(`${gc}_count`, { kind });
      const ms = (metricsAfter.sum(`${gc}_sum`, { kind }) - metricsBefore.sum(`${gc}_sum`, { kind })) * 1000;
      const over10 =
        count -
        (metricsAfter.sum(`${gc}_bucket`, { kind, le: '0.01' }) -
          metricsBefore.sum(`${gc}_bucket`, { kind, le: '0.01' }));
      return `${kind} ${count} (${fmt(ms, 0)} ms, ${over10} over 10 ms)`;
    })
    .join(', ');
  const appLoopMaxMs = metricsAfter.sum('nodejs_eventloop_lag_max_seconds') * 1000;
  const appLoopP99Ms = metricsAfter.sum('nodejs_eventloop_lag_p99_seconds') * 1000;
  process.stdout.write(
    formatTable([
      ['inside the app (bucket bounds)', 'count', 'p50 ms', 'p99 ms', ''],
      stageRow('handled', '  publish → handed to the live consumer'),
      stageRow('ready', '  publish → its turn, snooze wakes and lookups done'),
      stageRow('sent', '  publish → frames written to the sockets'),
    ]) +
      `\nevent-loop delay in the measured phase, max: the app ${fmt(appLoopMaxMs, 1)} ms (p99 ` +
      `${fmt(appLoopP99Ms, 1)} ms, since the previous scrape), the bench ${fmt(benchLoop.max / 1e6, 1)} ms (p99 ${fmt(benchLoop.percentile(99) / 1e6, 1)} ms); ` +
      `the bench's CPU per message ${fmt(benchCpuPerMessage, 2)} ms\n` +
      `the app's garbage collections in the measured phase: ${collections}\n\n`,
  );
  const ratio = percentile(deliveries, 99) / percentile(busLatencies, 99);
  const collectionsBeside = await collectionsBesideSlowFrames(started, ended, percentile(deliveries, 99));
  if (collectionsBeside !== undefined) process.stdout.write(`${collectionsBeside}\n`);
  process.stdout.write(
    `memory per socket: ${fmt(perSocket / 1024, 1)} KiB live after a full collection (heap and ` +
      `Buffers, ${fmt(before.live / 2 ** 20, 0)} → ${fmt(after.live / 2 ** 20, 0)} MiB for ` +
      `${sockets.length} sockets); resident ${fmt(rssPerSocket / 1024, 1)} KiB (` +
      `${fmt(before.rss / 2 ** 20, 0)} → ${fmt(rssAfterWave / 2 ** 20, 0)} MiB after the sign-ins' ` +
      `wave, ${fmt(after.rss / 2 ** 20, 0)} MiB after the collection; at most ${fmt(rssBytes('VmHWM') / 2 ** 20, 0)} MiB)\n` +
      `${inboxAlone ? 'inbox' : 'standalone'} process CPU per message, sent to ${1 + SUPERVISORS} sockets (user + system, ` +
      `publish to the last frame): ${fmt(appCpuPerMessage, 2)} ms; write system calls per message: ` +
      `${fmt(appWritesPerMessage, 1)}; PostgreSQL transactions per message on its database: ` +
      `${fmt(transactionsPerMessage, 2)}\n` +
      `frames received by the bench: ${framesReceived}; messages of another agent's conversation ` +
      `received by an agent: ${wrongDeliveries}\n` +
      `p99 ratio ${fmt(ratio, 2)} (target ≤ 1.5): ${ratio <= 1.5 ? 'met' : 'MISSED'}; visibility ` +
      `${wrongDeliveries === 0 && deliveries.length >= expected ? 'held' : 'BROKEN'}\n`,
  );
  if (profileFile !== undefined)
    process.stdout.write(`the app's profile of the measured phase: ${profileFile}\n`);
  if (ratio > 1.5 || wrongDeliveries > 0 || deliveries.length < expected) process.exitCode = 1;
  for (const socket of sockets) socket.terminate();
  await subscription.stop();
} finally {
  await profiling?.stop().catch(() => undefined);
  await bus.close();
  await app.stop('SIGTERM');
  // `BENCH_APP_LOG=/tmp/app.log`: what the app printed (its `--trace-gc` lines, if asked for).
  if (process.env.BENCH_APP_LOG) writeFileSync(process.env.BENCH_APP_LOG, app.output());
  await database.drop();
  await broker.stop();
}
