/**
 * `npm run bench:social`: Meta's WhatsApp webhook, signed as Meta signs it (HMAC-SHA256 of the
 * escaped-unicode bytes), at a steady 500 requests/s against the built channel-social app on a real
 * Kafka broker and PostgreSQL, timed from the moment each request was due to its acknowledgement
 * (open loop, as bench:sms). Beside it, in the same run and on the same process: `GET /healthz` at
 * the same rate — what HTTP alone costs here. Target (issue #15): p99 ≤ 25 ms on a quiet machine.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  metaJson,
  signMetaBody,
  startAppProcess,
  whatsAppInbound,
} from '@switchboard/testing';
import { Agent, request } from 'node:http';
import { fmt, formatTable, percentile, useBroker } from './bench.util.js';

const RATE = Number(process.argv[2] ?? 500);
const SECONDS = Number(process.argv[3] ?? 20);
const WARMUP_SECONDS = 3;
const SENDERS = 1_000;
const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = '106540352242922';

interface Prepared {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

interface Outcome {
  readonly latencies: number[];
  readonly statuses: Map<number, number>;
  readonly achievedRate: number;
}

/** What failed below HTTP (resets, refusals), by code, across the run. */
const errors = new Set<string>();

const broker = await useBroker();
const database = await createTestDatabase('bench_social');
const app = await startAppProcess(
  'channel-social',
  {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: broker.brokers,
    KAFKA_TOPIC_PREFIX: `bench-social-${randomUUID().slice(0, 8)}.`,
    META_APP_SECRET: APP_SECRET,
    META_VERIFY_TOKEN: randomBytes(12).toString('hex'),
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_ACCESS_TOKEN: `EAAG${randomBytes(20).toString('hex')}`,
    SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  },
  // `BENCH_CPU_PROF_DIR=/tmp/prof npm run bench:social -- 200 5`: the app writes a V8 CPU profile
  // there on exit (open it in Chrome's DevTools), to see what a webhook's time goes to.
  process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [],
);
const target = new URL(app.url);
// As Meta's edge does: many connections, kept alive. A fresh pool per phase: sockets left idle
// while the next phase's requests are signed would be closed by the server under the client.
let agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(prepared: Prepared): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: prepared.method,
        path: prepared.path,
        headers:
          prepared.body === undefined
            ? prepared.headers
            : { ...prepared.headers, 'content-length': Buffer.byteLength(prepared.body) },
        agent,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(prepared.body);
  });
}

/** Sends `make(i)` at RATE per second for `seconds`, each timed from when it was due. */
async function run(make: (i: number) => Prepared, seconds: number): Promise<Outcome> {
  const total = Math.round(RATE * seconds);
  const prepared = Array.from({ length: total }, (_, i) => make(i));
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      send(prepared[i]!).then(
        (status) => {
          latencies.push(performance.now() - due);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        },
        (error: NodeJS.ErrnoException) => {
          statuses.set(-1, (statuses.get(-1) ?? 0) + 1);
          errors.add(error.code ?? error.message);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  return { latencies: latencies.sort((a, b) => a - b), statuses, achievedRate: total / elapsed };
}

const health = (): Prepared => ({ method: 'GET', path: '/healthz', headers: {} });
let sequence = 0;
const webhook = (): Prepared => {
  sequence += 1;
  const from = `1415${String(2_000_000 + (sequence % SENDERS)).padStart(7, '0')}`;
  const body = metaJson(
    whatsAppInbound({
      phoneNumberId: PHONE_NUMBER_ID,
      from,
      name: 'Zoë Bench',
      messages: [
        {
          id: `wamid.${randomBytes(24).toString('base64url')}`,
          type: 'text',
          text: { body: `Où est la commande ${sequence} ?` },
        },
      ],
    }),
  );
  const headers = {
    'content-type': 'application/json',
    'x-hub-signature-256': signMetaBody(body, APP_SECRET),
  };
  return { method: 'POST', path: '/webhooks/meta', headers, body };
};

const row = (name: string, outcome: Outcome) => {
  const l = outcome.latencies;
  const codes = [...outcome.statuses.entries()]
    .map(([code, n]) => `${code === -1 ? 'error' : code}×${n}`)
    .join(' ');
  return [
    name,
    fmt(outcome.achievedRate, 0),
    fmt(percentile(l, 50), 2),
    fmt(percentile(l, 90), 2),
    fmt(percentile(l, 99), 2),
    fmt(l[l.length - 1] ?? Number.NaN, 1),
    codes,
  ];
};

try {
  await app.waitUntilReady(60_000);
  process.stdout.write(
    `bench:social — ${RATE} requests/s for ${SECONDS} s each (after ${WARMUP_SECONDS} s of warm-up), ` +
      `${SENDERS} WhatsApp senders, channel-social on Kafka ${broker.brokers} and PostgreSQL\n\n`,
  );
  await run(health, WARMUP_SECONDS);
  await run(webhook, WARMUP_SECONDS);
  const baseline = await run(health, SECONDS);
  const ours = await run(webhook, SECONDS);
  process.stdout.write(
    formatTable([
      ['route', 'achieved req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'statuses'],
      row('GET /healthz (baseline: same server, trivial route)', baseline),
      row('POST /webhooks/meta (verify, dedupe, publish to Kafka, ack)', ours),
    ]) + '\n',
  );
  if (errors.size > 0) process.stdout.write(`\nconnection errors: ${[...errors].join(', ')}\n`);
  const p99 = percentile(ours.latencies, 99);
  process.stdout.write(
    `\nwebhook → acknowledgement p99 ${fmt(p99, 1)} ms at ${RATE}/s; baseline p99 ${fmt(percentile(baseline.latencies, 99), 1)} ms` +
      ` (target ≤ 25 ms; every acknowledged message was durable on Kafka before its 200).\n`,
  );
} finally {
  agent.destroy();
  await app.stop('SIGTERM');
  await database.drop();
  await broker.stop();
}
