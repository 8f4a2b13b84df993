/**
 * `npm run bench:e2e`: a customer's text to the assigned agent's socket, through every app as its
 * own process (history, routing, channel-sms, inbox) on the real Kafka broker and PostgreSQL, as
 * in production; and agents' replies from the socket to Twilio's API. Issue #20.
 *
 * Open loop: signed Twilio webhooks at each RATE for SECONDS, each timed from when it was due,
 * every one a new customer (a new conversation routing must assign) until the message and its
 * assignment are both on the assigned agent's socket. Per hop from the events' own timestamps
 * (Kafka record timestamps and `occurredAt`; one machine, one clock):
 *   webhook → bus → history → bus → routing → bus → inbox → socket.
 * Beside it, in the same run: the bare bus round trip (our bus's publish → handle on the apps'
 * client, one at a time, during each load and once quiet) times the number of bus hops (3), and
 * Kafka's own EndToEndLatency (quiet, before the load).
 *
 * `node dist/bench/e2e.bench.js [RATES=100,500,1000] [SECONDS=10] [AGENTS=5] [REPLY_EVERY=10]`.
 * Each app starts as the Helm chart runs it: its Node flags (`nodeArgs`) and its own variables (`env`,
 * e.g. the inbox's Kafka client, ADR 0165), read from helm/switchboard/values.yaml.
 * `KAFKA_CLIENT=kafkajs|platformatic` runs every app and the bare bus on that client (ADR 0006);
 * unset, each app on the chart's and the bare bus on the chart's default.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { InboundMessageReceivedV1, Topics } from '@switchboard/contracts';
import { KafkaEventBus, loadPlatformaticKafkaEventBus, messagingVariables } from '@switchboard/messaging';
import {
  type AppProcess,
  createTestDatabase,
  freeStablePort,
  inboundMessageEvent,
  signedTwilioWebhook,
  startAppProcess,
  startTwilioApiServer,
  twilioInboundSmsParams,
} from '@switchboard/testing';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import WebSocket from 'ws';
import {
  type KafkaPerfModule,
  chartAppSettings,
  chartConfig,
  cpuMeter,
  fmt,
  formatTable,
  loadDeployModule,
  percentile,
  useBroker,
} from './bench.util.js';
import { type PostgresUse, postgresMeter } from './postgres-meter.js';

const RATES = (process.argv[2] ?? '100,500,1000').split(',').map(Number);
const SECONDS = Number(process.argv[3] ?? 10);
const AGENTS = Number(process.argv[4] ?? 20);
const REPLY_EVERY = Number(process.argv[5] ?? 10);
/** webhook → [inbound] → history → [conversations] → routing → [routing] → inbox. */
const BUS_HOPS = 3;
/** After the last message was due, how long the phase waits for stragglers. */
const DRAIN_MS = 60_000;
const PROBE_EVERY_MS = 50;

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://bench.example.test';
const ADMIN = { email: 'owner@example.test', password: 'owner password 123' };
const AGENT_PASSWORD = 'agent password 123';
const HOPS = [
  'webhook → bus',
  'bus → history',
  'history → bus',
  'bus → routing',
  'routing → bus',
  'bus → inbox → socket',
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Letters only: history masks digit runs that look like card numbers. */
const word = (n = 16) => Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join('');

/** One message's way through, in `Date.now()` milliseconds (NaN while not seen). */
interface Trace {
  readonly index: number;
  readonly sid: string;
  readonly text: string;
  due: number;
  acked: number;
  status: number;
  inboundRecord: number;
  appendedAt: number;
  appendedRecord: number;
  conversationId: string | undefined;
  assignedAt: number;
  assignedRecord: number;
  assignee: string | undefined;
  /** When the assignment's frame reached the assignee's socket (the message's: `messageFrames`). */
  socketAssigned: number;
}

const traces: Trace[] = [];
const bySid = new Map<string, Trace>();
const byText = new Map<string, Trace>();
/** conversationId → agent → when the message frame reached that agent's socket. */
const messageFrames = new Map<string, Map<string, number>>();
/**
 * conversationId → agent → when the assignment frame reached that agent's socket; and routing's
 * first assignment of each conversation as the tap read it. Kept by conversation, whatever order
 * the topics are read in (an assignment can be read before the message that names the
 * conversation's trace).
 */
const assignmentFrames = new Map<string, Map<string, number>>();
const assignments = new Map<string, { record: number; at: number; agentId: string }>();
const replies: { text: string; posted: number; acked: number; status: number }[] = [];
const errors = new Set<string>();
let failedProbes = 0;

/** Fills in what was read about the trace's conversation before the trace knew it. */
function settle(t: Trace): void {
  if (t.conversationId === undefined) return;
  const assignment = assignments.get(t.conversationId);
  if (t.assignee === undefined && assignment !== undefined) {
    t.assignedRecord = assignment.record;
    t.assignedAt = assignment.at;
    t.assignee = assignment.agentId;
  }
  if (t.assignee !== undefined && Number.isNaN(t.socketAssigned))
    t.socketAssigned = assignmentFrames.get(t.conversationId)?.get(t.assignee) ?? Number.NaN;
}

function delivered(t: Trace): number {
  settle(t);
  if (!t.assignee) return Number.NaN;
  const message = messageFrames.get(t.conversationId ?? '')?.get(t.assignee) ?? Number.NaN;
  return Math.max(message, t.socketAssigned);
}

// --- the platform, as processes -------------------------------------------------------------

const broker = await useBroker();
const brokers = broker.brokers.split(',');
const database = await createTestDatabase('bench_e2e');
const twilio = await startTwilioApiServer({ [ACCOUNT_SID]: AUTH_TOKEN });
const prefix = `bench-e2e-${randomUUID().slice(0, 8)}.`;
const rpc = { history: await freeStablePort(), routing: await freeStablePort(), sms: await freeStablePort() };
const nowhere = `tcp://127.0.0.1:${await freeStablePort()}`;
/**
 * The bare bus's Kafka client, and every app's but those the chart gives their own (the inbox's,
 * ADR 0165): the chart's `config` default. `KAFKA_CLIENT` set runs every app on it.
 */
const kafkaClient =
  process.env.KAFKA_CLIENT ??
  chartConfig().KAFKA_CLIENT ??
  messagingVariables.KAFKA_CLIENT.default ??
  'kafkajs';
// One environment for every app, as the chart's ConfigMap and Secret give it.
const env: Record<string, string> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_URL: database.url,
  KAFKA_BROKERS: broker.brokers,
  KAFKA_TOPIC_PREFIX: prefix,
  KAFKA_CLIENT: kafkaClient,
  SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  INTERNAL_API_TOKEN: randomBytes(32).toString('hex'),
  PUBLIC_BASE_URL,
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_PHONE_NUMBER: OUR_NUMBER,
  TWILIO_API_BASE_URL: twilio.url,
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  HISTORY_API_URL: `tcp://127.0.0.1:${rpc.history}`,
  ROUTING_API_URL: `tcp://127.0.0.1:${rpc.routing}`,
  CHANNEL_SMS_API_URL: `tcp://127.0.0.1:${rpc.sms}`,
  // Not on the measured path and not started: the inbox calls them only from admin screens.
  CHANNEL_WEB_API_URL: nowhere,
  GRPC_API_URL: nowhere,
};
/**
 * What the platform asked PostgreSQL per message over the whole run, by statement, where the
 * server has `pg_stat_statements` loaded (its figures are per database; nothing if it is not).
 */
async function statementsPerMessage(messages: number): Promise<string> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    // The view, not the figures, is per database: the server has counted since it started.
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await client.query<{ calls: number; ms: number; query: string }>(
      `SELECT calls::float8 AS calls, total_exec_time AS ms, regexp_replace(query, '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY 1 DESC`,
    );
    const calls = rows.reduce((n, r) => n + Number(r.calls), 0);
    const table = [
      ['statements per message', 'exec ms per message', 'statement'],
      ...rows
        .slice(0, 15)
        .map((r) => [fmt(Number(r.calls) / messages, 2), fmt(r.ms / messages, 3), r.query.slice(0, 90)]),
    ];
    return `\nPostgreSQL, the whole run: ${fmt(calls / messages, 1)} statements per message\n${formatTable(table)}\n`;
  } catch {
    return '\n(PostgreSQL statements per message: pg_stat_statements is not loaded on this server)\n';
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL's CPU per message split by process (the apps' pools by name, background work by
 * type), and what each message made it write: transactions, rows by table with the index entries
 * they cost (a new row version, but for a HOT update, gets one in every index), WAL records and
 * bytes, WAL flushes to disk (the server's, other databases' included).
 */
function postgresTable(results: readonly { rate: number; traces: unknown[]; postgres: PostgresUse }[]) {
  const labels = [...new Set(results.flatMap((r) => [...r.postgres.cpu.keys()]))].sort();
  const tables = [...new Set(results.flatMap((r) => [...r.postgres.tables.keys()]))].sort();
  const perMessage = (r: (typeof results)[number], n: number, digits = 3) => fmt(n / r.traces.length, digits);
  const writes = (r: (typeof results)[number], table: string) => {
    const t = r.postgres.tables.get(table);
    if (t === undefined) return '';
    const entries = (t.inserted + t.updated - t.hotUpdated) * t.indexes;
    return (
      `ins ${perMessage(r, t.inserted, 2)} upd ${perMessage(r, t.updated, 2)} (HOT ${perMessage(r, t.hotUpdated, 2)}) ` +
      `del ${perMessage(r, t.deleted, 2)}; ${t.indexes} indexes: ${perMessage(r, entries, 1)} entries`
    );
  };
  return [
    ['PostgreSQL: CPU ms per message, by process', ...results.map((r) => `${r.rate}/s`)],
    ...labels.map((label) => [
      `  ${label}`,
      ...results.map((r) => perMessage(r, (r.postgres.cpu.get(label) ?? 0) * 1000)),
    ]),
    [
      'transactions per message (this database, read-only too)',
      ...results.map((r) => perMessage(r, r.postgres.transactions, 2)),
    ],
    ['rows written per message, by table', ...results.map(() => '')],
    ...tables.map((table) => [`  ${table}`, ...results.map((r) => writes(r, table))]),
    ['WAL records per message (the server)', ...results.map((r) => perMessage(r, r.postgres.walRecords, 1))],
    ['WAL bytes per message (the server)', ...results.map((r) => perMessage(r, r.postgres.walBytes, 0))],
    [
      'WAL flushes to disk per message (the server)',
      ...results.map((r) => perMessage(r, r.postgres.walSyncs, 2)),
    ],
  ];
}

const apps: AppProcess[] = [];
// Whatever ends this process, the apps it started go with it.
process.once('exit', () => apps.forEach((a) => a.child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
// Node's own flags for every app, after the chart's, e.g. `E2E_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`.
const extraNodeArgs = (process.env.E2E_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** How each app was started (its Node flags and Kafka client), for the report. */
const started = new Map<string, { nodeArgs: readonly string[]; kafkaClient: string }>();
/**
 * Starts an app as its pod runs: the chart's Node flags for it (`nodeArgs`) and its own variables
 * (`env`) over the shared environment; `KAFKA_CLIENT` set still decides every app's client.
 */
const start = async (app: string, internalRpcPort?: number) => {
  const chart = chartAppSettings(app);
  const appEnv = {
    ...env,
    ...chart.env,
    ...(process.env.KAFKA_CLIENT === undefined ? {} : { KAFKA_CLIENT: process.env.KAFKA_CLIENT }),
    ...(internalRpcPort === undefined ? {} : { INTERNAL_RPC_PORT: String(internalRpcPort) }),
  };
  const nodeArgs = [...chart.nodeArgs, ...extraNodeArgs];
  const p = await startAppProcess(app, appEnv, nodeArgs);
  started.set(app, { nodeArgs, kafkaClient: appEnv.KAFKA_CLIENT ?? kafkaClient });
  apps.push(p);
  return p;
};

const kafka = new Kafka({ clientId: 'bench-e2e', brokers, logLevel: logLevel.NOTHING });
// The tap reads Kafka's record timestamps, not when it reads them: it may fetch in bulk (at most
// every 100 ms, or once 64 KB are there) rather than once per record the apps produce.
const tap = kafka.consumer({ groupId: `${prefix}bench-tap`, maxWaitTimeInMs: 100, minBytes: 64 * 1024 });
const sockets: WebSocket[] = [];
const http = new HttpAgent({ keepAlive: true, maxSockets: 256 });
const ProbeBus = kafkaClient === 'platformatic' ? await loadPlatformaticKafkaEventBus() : KafkaEventBus;
const probeBus = new ProbeBus({
  brokers,
  clientId: 'bench-e2e-probe',
  topicPrefix: `${prefix}probe.`,
  partitions: 12,
  replicationFactor: 1,
});

/** `headers` must carry the body's `content-length` (`withLength`): no copy per request. */
function post(
  target: URL,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, method: 'POST', path, headers, agent: http },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const withLength = (headers: Record<string, string>, body: string) => ({
  ...headers,
  'content-length': String(Buffer.byteLength(body)),
});

async function json<T>(response: Response, what: string): Promise<T> {
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Session {
  readonly userId: string;
  readonly cookie: string;
  readonly headers: Record<string, string>;
  /** `headers` with the resolve's content length, built once. */
  readonly resolveHeaders: Record<string, string>;
}

async function signIn(inbox: string, email: string, password: string): Promise<Session> {
  const response = await fetch(`${inbox}/api/inbox/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: inbox },
    body: JSON.stringify({ email, password }),
  });
  const { user, csrfToken } = await json<{ user: { id: string }; csrfToken: string }>(response, 'sign-in');
  const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
  const headers = { cookie, origin: inbox, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
  return { userId: user.id, cookie, headers, resolveHeaders: withLength(headers, RESOLVED) };
}

/** The frames an agent's tab must read; the others (typing, presence, other events) are skipped unread. */
const MESSAGE_APPENDED = Buffer.from('"conversation.message.appended"');
const ASSIGNED = Buffer.from('"conversation.assigned"');
let assignmentsTaken = 0;

/** An agent's inbox tab: the socket, and what a quick agent does with each assignment. */
function connectAgent(inbox: URL, session: Session): Promise<void> {
  const socket = new WebSocket(`ws://${inbox.host}/ws/inbox`, {
    headers: { cookie: session.cookie, origin: inbox.origin },
    // The inbox is ours and writes JSON.stringify's output: no need to check its UTF-8 per frame.
    skipUTF8Validation: true,
  });
  sockets.push(socket);
  socket.on('message', (data: Buffer) => {
    const at = Date.now();
    // A byte search is far cheaper than parsing every frame 20 agents get.
    const appended = data.includes(MESSAGE_APPENDED);
    if (!appended && !data.includes(ASSIGNED)) return;
    const frame = JSON.parse(data.toString('utf8')) as {
      type: string;
      event?: { type: string; payload: Record<string, unknown> };
    };
    if (frame.type !== 'event' || !frame.event) return;
    const { type, payload } = frame.event;
    if (appended && type === 'conversation.message.appended' && payload.direction === 'in') {
      const conversationId = String(payload.conversationId);
      let seen = messageFrames.get(conversationId);
      if (!seen) messageFrames.set(conversationId, (seen = new Map<string, number>()));
      seen.set(session.userId, at);
    } else if (type === 'conversation.assigned' && payload.agentId === session.userId) {
      const conversationId = String(payload.conversationId);
      let seen = assignmentFrames.get(conversationId);
      if (!seen) assignmentFrames.set(conversationId, (seen = new Map<string, number>()));
      if (seen.has(session.userId)) return;
      seen.set(session.userId, at);
      // Counted here, not by the trace: the tap may not have read the conversation's message yet.
      const reply = (assignmentsTaken += 1) % REPLY_EVERY === 0;
      void work(inbox, session, conversationId, reply).catch((e: Error) => errors.add(`agent: ${e.message}`));
    }
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('message', () => resolve());
  });
}

const RESOLVED = '{"status":"resolved"}';

/** Reply if asked (1 assignment in REPLY_EVERY), then resolve it so the agent's capacity frees. */
async function work(inbox: URL, session: Session, conversationId: string, reply: boolean) {
  const base = `/api/inbox/conversations/${conversationId}`;
  if (reply) {
    const text = `reply ${word(24)}`;
    const body = JSON.stringify({ idempotencyKey: randomUUID(), text });
    const posted = Date.now();
    const answer = await post(inbox, `${base}/messages`, withLength(session.headers, body), body);
    replies.push({ text, posted, acked: Date.now(), status: answer.status });
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const { status } = await post(inbox, `${base}/status`, session.resolveHeaders, RESOLVED);
    if (status < 300) return;
    await sleep(500);
  }
  errors.add(`resolve ${conversationId}: gave up`);
}

/**
 * Kafka's own view: when each event's record was stamped on its topic. It commits no offsets (its
 * group is new each run and reads from the beginning: a commit per batch was a broker round trip
 * each), and parses only the records it needs (found by a byte search for their type).
 */
async function startTap(): Promise<void> {
  await tap.connect();
  const topics = [Topics.inbound, Topics.conversations, Topics.routing].map((t) => `${prefix}${t}`);
  // A topic is created by its first publisher or subscriber, which may still be starting.
  for (let attempt = 1; ; attempt++) {
    try {
      await tap.subscribe({ topics, fromBeginning: true });
      break;
    } catch (error) {
      if (attempt === 30) throw error;
      await sleep(1_000);
    }
  }
  const joined = new Promise<void>((resolve) => tap.on(tap.events.GROUP_JOIN, () => resolve()));
  await tap.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const value = m.value;
        const wanted = value !== null && TAPPED.some((type) => value.includes(type));
        if (!wanted) continue;
        const at = Number(m.timestamp);
        const event = JSON.parse(value.toString('utf8')) as {
          type: string;
          occurredAt: string;
          payload: Record<string, unknown>;
        };
        const p = event.payload;
        if (event.type === 'inbound.message.received') {
          const t = bySid.get(String(p.providerMessageId));
          if (t) t.inboundRecord = at;
        } else if (event.type === 'conversation.message.appended' && p.direction === 'in') {
          const t = byText.get(String(p.text));
          if (t) {
            t.appendedRecord = at;
            t.appendedAt = Date.parse(event.occurredAt);
            t.conversationId = String(p.conversationId);
          }
        } else if (event.type === 'conversation.assigned') {
          const conversationId = String(p.conversationId);
          if (!assignments.has(conversationId))
            assignments.set(conversationId, {
              record: at,
              at: Date.parse(event.occurredAt),
              agentId: String(p.agentId),
            });
        }
      }
      return Promise.resolve();
    },
  });
  await joined;
}

/** The event types the tap reads, as they appear in a record's JSON. */
const TAPPED = [
  '"inbound.message.received"',
  '"conversation.message.appended"',
  '"conversation.assigned"',
].map((type) => Buffer.from(type));

/** The bare bus: one event published, handled, then the next, every PROBE_EVERY_MS. */
async function startProbe() {
  const sent = new Map<string, number>();
  let samples: number[] = [];
  const subscription = await probeBus.subscribe({
    groupId: 'probe',
    topics: [Topics.inbound],
    accepts: [InboundMessageReceivedV1],
    handleBatch: (batch) => {
      const now = performance.now();
      for (const { event } of batch) {
        const at = sent.get(event.id);
        if (at !== undefined) samples.push(now - at);
        sent.delete(event.id);
      }
      return Promise.resolve();
    },
  });
  await subscription.assigned;
  let running = true;
  const loop = (async () => {
    while (running) {
      const event = inboundMessageEvent({ text: 'probe' });
      sent.set(event.id, performance.now());
      // A publish the bus gives up on (5 s) is counted, not thrown: the benchmark goes on.
      await probeBus.emit(event).catch(() => (failedProbes += 1));
      await sleep(PROBE_EVERY_MS);
    }
  })();
  return {
    /** The round trips since the last call. */
    take: () => {
      const taken = samples.sort((a, b) => a - b);
      samples = [];
      return taken;
    },
    stop: async () => {
      running = false;
      await loop;
      await subscription.stop();
    },
  };
}

interface Webhook {
  readonly trace: Trace;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let sequence = 0;
function prepare(): Webhook {
  const n = (sequence += 1);
  // A new customer each time: a new conversation for routing to assign.
  const from = `+1415${String(5_000_000 + n).padStart(7, '0')}`;
  const text = `e2e ${word()}`;
  const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, from, { Body: text });
  const signed = signedTwilioWebhook(AUTH_TOKEN, `${PUBLIC_BASE_URL}/webhooks/twilio/sms`, params);
  const trace: Trace = {
    index: n,
    sid: params.MessageSid,
    text,
    due: Number.NaN,
    acked: Number.NaN,
    status: 0,
    inboundRecord: Number.NaN,
    appendedAt: Number.NaN,
    appendedRecord: Number.NaN,
    conversationId: undefined,
    assignedAt: Number.NaN,
    assignedRecord: Number.NaN,
    assignee: undefined,
    socketAssigned: Number.NaN,
  };
  return { trace, headers: withLength(signed.headers, signed.body), body: signed.body };
}

/**
 * A phase's webhooks, signed before it starts (and before its CPU is counted): Twilio signs them,
 * not the platform, and signing them on the way would take the benchmark's share of the cores.
 */
function signWebhooks(rate: number, seconds: number): Webhook[] {
  const webhooks = Array.from({ length: Math.round(rate * seconds) }, prepare);
  for (const { trace } of webhooks) {
    traces.push(trace);
    bySid.set(trace.sid, trace);
    byText.set(trace.text, trace);
  }
  return webhooks;
}

/** `webhooks` at `rate` a second, open loop; resolves once all are on a socket or DRAIN_MS passed. */
async function phase(sms: URL, rate: number, webhooks: readonly Webhook[]): Promise<Trace[]> {
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < webhooks.length; i++) {
    const { trace, headers, body } = webhooks[i]!;
    trace.due = started + (i * 1000) / rate;
    const wait = trace.due - Date.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(
      post(sms, '/webhooks/twilio/sms', headers, body).then(
        ({ status }) => {
          trace.status = status;
          trace.acked = Date.now();
        },
        (e: NodeJS.ErrnoException) => void errors.add(`webhook: ${e.code ?? e.message}`),
      ),
    );
  }
  await Promise.all(inFlight);
  const phaseTraces = webhooks.map((w) => w.trace);
  // A delivered trace stays delivered: each pass checks from the first one still on its way.
  let waiting = 0;
  const deadline = Date.now() + DRAIN_MS;
  while (Date.now() < deadline) {
    while (waiting < phaseTraces.length && Number.isFinite(delivered(phaseTraces[waiting]!))) waiting++;
    if (waiting === phaseTraces.length) break;
    await sleep(200);
  }
  return phaseTraces;
}

const stats = (values: number[]) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { n: v.length, p50: percentile(v, 50), p99: percentile(v, 99), max: v[v.length - 1] ?? Number.NaN };
};
const cells = (s: ReturnType<typeof stats>) => [fmt(s.p50, 1), fmt(s.p99, 1), fmt(s.max, 1)];

function hops(t: Trace): number[] {
  return [
    t.inboundRecord - t.due,
    t.appendedAt - t.inboundRecord,
    t.appendedRecord - t.appendedAt,
    t.assignedAt - t.appendedRecord,
    t.assignedRecord - t.assignedAt,
    delivered(t) - t.assignedRecord,
  ];
}

// --- the run ----------------------------------------------------------------------------------

try {
  const perf = await loadDeployModule<KafkaPerfModule>('deploy/local/kafka/kafka-perf.mjs');
  // The services first: the others call them at start (the inbox's first admin, its agents).
  const [history, routing] = await Promise.all([
    start('history', rpc.history),
    start('routing', rpc.routing),
  ]);
  await Promise.all([history.waitUntilReady(120_000), routing.waitUntilReady(120_000)]);
  const [sms, inbox] = await Promise.all([start('channel-sms', rpc.sms), start('inbox')]);
  await Promise.all([sms.waitUntilReady(120_000), inbox.waitUntilReady(120_000)]);

  // Agents: the first admin and invited teammates, each with capacity 100, each on a socket.
  const admin = await signIn(inbox.url, ADMIN.email, ADMIN.password);
  const sessions = [admin];
  for (let i = 1; i < AGENTS; i++) {
    const email = `agent${i}@example.test`;
    const invite = await json<{ path: string }>(
      await fetch(`${inbox.url}/api/inbox/invites`, {
        method: 'POST',
        headers: admin.headers,
        body: JSON.stringify({ email, displayName: `Agent ${i}`, role: 'agent' }),
      }),
      'invite',
    );
    await json(
      await fetch(`${inbox.url}/api/inbox/invites/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: inbox.url },
        body: JSON.stringify({ token: invite.path.split('/invite/')[1], password: AGENT_PASSWORD }),
      }),
      'accept',
    );
    sessions.push(await signIn(inbox.url, email, AGENT_PASSWORD));
  }
  for (const s of sessions) {
    await json(
      await fetch(`${inbox.url}/api/inbox/admin/agents/${s.userId}`, {
        method: 'PUT',
        headers: admin.headers,
        body: JSON.stringify({ skills: [], defaultChannelCapacity: 100, maxConcurrent: 100 }),
      }),
      'agent capacity',
    );
  }
  await startTap();
  const inboxUrl = new URL(inbox.url);
  const smsUrl = new URL(sms.url);
  await Promise.all(sessions.map((s) => connectAgent(inboxUrl, s)));

  process.stdout.write(
    `bench:e2e — history, routing, channel-sms and inbox as processes on Kafka ${broker.brokers} and PostgreSQL; ` +
      `${AGENTS} agents (capacity 100 each) on /ws/inbox, each resolving what it is assigned and replying to 1 in ${REPLY_EVERY}; ` +
      `${SECONDS} s at each of ${RATES.join(', ')} messages/s, every message a new customer\n` +
      `each app as the chart runs it: ${[...started]
        .map(
          ([app, s]) =>
            `${app} on ${s.kafkaClient}${s.nodeArgs.length > 0 ? ` with ${s.nodeArgs.join(' ')}` : ''}`,
        )
        .join(', ')}\n\n`,
  );

  // Quiet baselines: Kafka's own EndToEndLatency, and our bus's bare round trip.
  const kafkaE2e = await perf.runEndToEndLatency({
    brokers: broker.brokers,
    topic: `${prefix}e2e-latency`,
    numMessages: 1_000,
    recordSize: 700,
  });
  const probe = await startProbe();
  await sleep(10_000);
  const quietBus = stats(probe.take());

  // Warm-up: until texts are assigned (presence reached routing, every consumer joined).
  await phase(smsUrl, 20, signWebhooks(20, 3));
  probe.take();
  const loads = RATES.map((rate) => signWebhooks(rate, SECONDS));

  // What each message costs each process, to compare with the machine's cores.
  const meter = cpuMeter(
    {
      history: history.child.pid!,
      routing: routing.child.pid!,
      'channel-sms': sms.child.pid!,
      inbox: inbox.child.pid!,
    },
    { 'Kafka broker (java)': 'java' },
  );
  const pgMeter = await postgresMeter(database.url);
  const results: {
    rate: number;
    traces: Trace[];
    bus: ReturnType<typeof stats>;
    cpu: Map<string, number>;
    postgres: PostgresUse;
    wallSeconds: number;
  }[] = [];
  for (const rate of RATES) {
    probe.take();
    meter.start();
    await pgMeter.start();
    const began = Date.now();
    const t = await phase(smsUrl, rate, loads.shift()!);
    const postgres = await pgMeter.take();
    const cpu = meter.take();
    cpu.set(
      'PostgreSQL (every process)',
      [...postgres.cpu.values()].reduce((a, b) => a + b, 0),
    );
    results.push({
      rate,
      traces: t,
      bus: stats(probe.take()),
      cpu,
      postgres,
      wallSeconds: (Date.now() - began) / 1000,
    });
    await sleep(3_000);
  }
  await probe.stop();
  await pgMeter.close();

  const table: string[][] = [
    ['rate /s', 'measure', 'n', 'p50 ms', 'p99 ms', 'max ms'],
    [
      'quiet',
      "Kafka's EndToEndLatency (one at a time)",
      '1,000',
      fmt(kafkaE2e.p50Ms, 0),
      fmt(kafkaE2e.p99Ms, 0),
      `p99.9 ${fmt(kafkaE2e.p999Ms, 0)}`,
    ],
    [
      'quiet',
      `bare bus round trip (${kafkaClient}: publish → handle)`,
      String(quietBus.n),
      ...cells(quietBus),
    ],
  ];
  const verdicts: string[] = [];
  for (const { rate, traces: t, bus } of results) {
    const done = t.filter((x) => Number.isFinite(delivered(x)));
    const e2e = stats(done.map((x) => delivered(x) - x.due));
    const bound = BUS_HOPS * bus.p99;
    table.push(
      [
        String(rate),
        `end to end (${done.length}/${t.length} on the assignee's socket)`,
        String(e2e.n),
        ...cells(e2e),
      ],
      [String(rate), 'webhook acknowledged (200)', '', ...cells(stats(t.map((x) => x.acked - x.due)))],
      ...HOPS.map((name, i) => [
        String(rate),
        `  ${name}`,
        '',
        ...cells(stats(done.map((x) => hops(x)[i]!))),
      ]),
      [String(rate), 'bare bus round trip, same load', String(bus.n), ...cells(bus)],
      [String(rate), `${BUS_HOPS} × bare bus round trip`, '', fmt(BUS_HOPS * bus.p50, 1), fmt(bound, 1), ''],
    );
    const missing = t.filter((x) => !Number.isFinite(delivered(x)));
    if (missing.length > 0) {
      // Where the undelivered ones stopped: the first hop each has no timestamp for.
      const stoppedAt = new Map<string, number>();
      for (const x of missing) {
        const where = Number.isNaN(x.acked)
          ? 'webhook not acknowledged'
          : Number.isNaN(x.inboundRecord)
            ? 'not on inbound'
            : Number.isNaN(x.appendedAt)
              ? 'not stored by history'
              : x.assignee === undefined
                ? 'not assigned'
                : Number.isNaN(x.socketAssigned)
                  ? "assignment not on the assignee's socket"
                  : "message not on the assignee's socket";
        stoppedAt.set(where, (stoppedAt.get(where) ?? 0) + 1);
      }
      verdicts.push(
        `${rate}/s: undelivered by where they stopped: ${[...stoppedAt].map(([w, n]) => `${w} ${n}`).join(', ')}`,
      );
    }
    verdicts.push(
      `${rate}/s: ${done.length}/${t.length} delivered; end-to-end p99 ${fmt(e2e.p99, 1)} ms = ` +
        `${fmt(e2e.p99 / bound, 2)} × (${BUS_HOPS} hops × bare p99 ${fmt(bus.p99, 1)} ms)` +
        (rate === 500
          ? `; target ≤ 2: ${e2e.p99 <= 2 * bound && done.length === t.length ? 'met' : 'NOT met'}`
          : ''),
    );
  }
  const creations = new Map(twilio.creations().map((r) => [r.form.get('Body'), r.receivedAt]));
  const replyToTwilio = stats(replies.map((r) => (creations.get(r.text) ?? Number.NaN) - r.posted));
  const replyAck = stats(replies.map((r) => r.acked - r.posted));
  table.push(
    [
      'all',
      `agent reply POST → acknowledged (${replies.filter((r) => r.status < 300).length} of ${replies.length} 2xx)`,
      String(replyAck.n),
      ...cells(replyAck),
    ],
    [
      'all',
      "agent reply POST → Twilio's API (messages.create)",
      String(replyToTwilio.n),
      ...cells(replyToTwilio),
    ],
  );
  // CPU per message by process: their sum against the machine's cores says what a rate needs.
  const labels = [...(results[0]?.cpu.keys() ?? [])];
  const cpuTable: string[][] = [
    ['process: CPU ms per message', ...results.map((r) => `${r.rate}/s`)],
    ...labels.map((label) => [
      label,
      ...results.map((r) => fmt(((r.cpu.get(label) ?? 0) * 1000) / r.traces.length, 2)),
    ]),
    [
      'all of them',
      ...results.map((r) =>
        fmt(([...r.cpu.values()].reduce((a, b) => a + b, 0) * 1000) / r.traces.length, 2),
      ),
    ],
    [
      'cores busy over the phase (sending and draining)',
      ...results.map((r) => fmt([...r.cpu.values()].reduce((a, b) => a + b, 0) / r.wallSeconds, 2)),
    ],
  ];
  process.stdout.write(
    formatTable(table) +
      '\n\n' +
      verdicts.join('\n') +
      `\n\n${formatTable(cpuTable)}\n(machine: ${availableParallelism()} cores; java counts every process of that name on the machine)\n`,
  );
  process.stdout.write(`\n${formatTable(postgresTable(results))}\n`);
  process.stdout.write(await statementsPerMessage(results.reduce((n, r) => n + r.traces.length, 0)));
  if (failedProbes > 0)
    process.stdout.write(`\nbare bus probes not acknowledged within 5 s: ${failedProbes}\n`);
  if (errors.size > 0) process.stdout.write(`\nerrors: ${[...errors].slice(0, 10).join('; ')}\n`);
} catch (error) {
  for (const app of apps) process.stderr.write(`--- ${app.url}\n${app.output().slice(-3000)}\n`);
  throw error;
} finally {
  for (const s of sockets) s.terminate();
  http.destroy();
  await tap.disconnect().catch(() => undefined);
  await probeBus.close().catch(() => undefined);
  await Promise.all(apps.map((a) => a.stop('SIGTERM')));
  await twilio.close();
  await database.drop();
  await broker.stop();
}
