/**
 * The open-loop webhook benchmark `bench:sms` and `bench:social` share: a built channel app on a
 * real Kafka broker (`useBroker`) and PostgreSQL, a provider's signed webhook at a steady RATE per
 * second, each request timed from the moment it was due to be sent to its acknowledgement (so a
 * stall is not hidden by sending less), beside `GET /healthz` at the same rate on the same process
 * — what HTTP alone costs here. `node dist/bench/<name>.bench.js [RATE] [SECONDS]`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createTestDatabase, startAppProcess } from '@switchboard/testing';
import { Agent, request } from 'node:http';
import { cpuMeter, fmt, formatTable, percentile, useBroker } from './bench.util.js';

const RATE = Number(process.argv[2] ?? 500);
const SECONDS = Number(process.argv[3] ?? 20);
const WARMUP_SECONDS = 3;
/** Distinct senders the webhooks cycle through. */
export const SENDERS = 1_000;

export interface WebhookBench {
  /** `sms` for `bench:sms`: names the database, the topic prefix and the output. */
  readonly name: string;
  /** The built app under test (`dist/apps/<app>/main.js`) and the variables it needs. */
  readonly app: string;
  readonly env: Record<string, string>;
  /** What the output says of the senders, e.g. `1000 WhatsApp senders`. */
  readonly senders: string;
  /** The `sequence`-th webhook, signed as the provider signs it. */
  readonly webhook: (sequence: number) => Prepared;
  /** The webhook's row in the table, e.g. `POST /webhooks/meta (verify, dedupe, publish to Kafka, ack)`. */
  readonly route: string;
  /** What closes the summary line, e.g. `target ≤ 25 ms`. */
  readonly target: string;
}

export interface Prepared {
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
let target: URL;
// As the providers' edges do: many connections, kept alive. A fresh pool per phase: sockets left
// idle while the next phase's requests are signed would be closed by the server under the client.
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

/**
 * The app's own readings of its event loop and garbage collector (prom-client's process metrics on
 * its `/metrics`): the loop's delay since the previous scrape (prom-client resets it on each), and
 * GC pauses so far, summed over their kinds.
 */
async function scrapeProcess(): Promise<Map<string, number>> {
  const text = await (await fetch(new URL('/metrics', target))).text();
  const readings = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match =
      /^(nodejs_eventloop_lag_(?:p99|max)_seconds|nodejs_gc_duration_seconds_(?:sum|count))(?:\{[^}]*\})? (\S+)$/.exec(
        line,
      );
    if (match) readings.set(match[1]!, (readings.get(match[1]!) ?? 0) + Number(match[2]));
  }
  return readings;
}

const load = () => fmt(loadavg()[0]!, 2);

const health = (): Prepared => ({ method: 'GET', path: '/healthz', headers: {} });

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

export async function runWebhookBench(bench: WebhookBench): Promise<void> {
  const broker = await useBroker();
  const database = await createTestDatabase(`bench_${bench.name}`);
  const app = await startAppProcess(
    bench.app,
    {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC_PREFIX: `bench-${bench.name}-${randomUUID().slice(0, 8)}.`,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      // `KAFKA_CLIENT=platformatic npm run bench:social`: the app on the second Kafka adapter (ADR 0006).
      ...(process.env.KAFKA_CLIENT ? { KAFKA_CLIENT: process.env.KAFKA_CLIENT } : {}),
      ...bench.env,
    },
    // `BENCH_CPU_PROF_DIR=/tmp/prof npm run bench:social -- 200 5`: the app writes a V8 CPU profile
    // there on exit (open it in Chrome's DevTools), to see what a webhook's time goes to.
    // `BENCH_NODE_ARGS='--trace-gc'`: any other Node flags for the app (as bench:e2e's E2E_NODE_ARGS).
    [
      ...(process.env.BENCH_CPU_PROF_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
        : []),
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
  );
  target = new URL(app.url);
  let sequence = 0;
  const webhook = () => bench.webhook((sequence += 1));
  try {
    await app.waitUntilReady(60_000);
    process.stdout.write(
      `bench:${bench.name} — ${RATE} requests/s for ${SECONDS} s each (after ${WARMUP_SECONDS} s of warm-up), ` +
        `${bench.senders}, ${bench.app} on Kafka ${broker.brokers} and PostgreSQL\n\n`,
    );
    const loadBefore = load();
    await run(health, WARMUP_SECONDS);
    await run(webhook, WARMUP_SECONDS);
    // CPU per request (utime + stime from /proc), which other processes' load does not change.
    const meter = cpuMeter(
      { app: app.child.pid! },
      { 'PostgreSQL (every backend)': 'postgres', 'Kafka broker (java)': 'java' },
    );
    const baseline = await run(health, SECONDS);
    const healthCpu = meter.take();
    const processBefore = await scrapeProcess();
    const ours = await run(webhook, SECONDS);
    const webhookCpu = meter.take();
    const processAfter = await scrapeProcess();
    process.stdout.write(
      formatTable([
        ['route', 'achieved req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'statuses'],
        row('GET /healthz (baseline: same server, trivial route)', baseline),
        row(bench.route, ours),
      ]) + '\n',
    );
    if (errors.size > 0) process.stdout.write(`\nconnection errors: ${[...errors].join(', ')}\n`);
    const perRequest = (used: Map<string, number>, label: string, outcome: Outcome) =>
      fmt(((used.get(label) ?? 0) * 1000) / outcome.latencies.length, 2);
    const gc = (name: string) => (processAfter.get(name) ?? 0) - (processBefore.get(name) ?? 0);
    process.stdout.write(
      `\nCPU per request (ms, /proc utime+stime): ${bench.app} /healthz ${perRequest(healthCpu, 'app', baseline)}, ` +
        `webhook ${perRequest(webhookCpu, 'app', ours)}; in the webhook phase PostgreSQL ` +
        `${perRequest(webhookCpu, 'PostgreSQL (every backend)', ours)}, the broker ${perRequest(webhookCpu, 'Kafka broker (java)', ours)}` +
        `, this benchmark ${perRequest(webhookCpu, 'this benchmark', ours)}.\n` +
        `${bench.app} in the webhook phase: event-loop delay p99 ${fmt((processAfter.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000, 1)} ms, ` +
        `max ${fmt((processAfter.get('nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000, 1)} ms; ` +
        `GC ${fmt(gc('nodejs_gc_duration_seconds_sum') * 1000, 0)} ms in ${fmt(gc('nodejs_gc_duration_seconds_count'), 0)} pauses. ` +
        `Load average ${loadBefore} at the start, ${load()} at the end.\n`,
    );
    const p99 = percentile(ours.latencies, 99);
    process.stdout.write(
      `\nwebhook → acknowledgement p99 ${fmt(p99, 1)} ms at ${RATE}/s; baseline p99 ${fmt(percentile(baseline.latencies, 99), 1)} ms` +
        ` (${bench.target}; every acknowledged message was durable on Kafka before its 200).\n`,
    );
  } finally {
    agent.destroy();
    await app.stop('SIGTERM');
    // `BENCH_APP_OUTPUT=/tmp/app.log`: what the app printed (its warnings, --trace-gc's lines).
    if (process.env.BENCH_APP_OUTPUT) writeFileSync(process.env.BENCH_APP_OUTPUT, app.output());
    await database.drop();
    await broker.stop();
  }
}
