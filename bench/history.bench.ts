/**
 * `npm run bench:history` (issue #3's targets), each beside a baseline measured in the same run:
 *
 * 1. Ingest: N inbound messages are published to Kafka first, then the built history app is
 *    started and timed from its first committed row to its last (Kafka → committed rows, with
 *    customers, conversations, sequences and outbox events). Baseline: the same rows INSERTed as
 *    plain batches of 500 into a copy of the messages table (same indexes), from one connection.
 *    Target: ≥ 5,000 messages/s.
 * 2. Paced ingest (issue 20's hot path): with the app running, inbound messages published at a
 *    steady rate for some seconds, every one from a new sender (a new customer and conversation,
 *    as in `bench:e2e`), until stored and relayed. Per message: the CPU of the app and of its
 *    PostgreSQL backends (from /proc, drain and idle polling included), and the database's
 *    transactions; and the published → committed latency (the row's `created_at` − `receivedAt`).
 *    CPU and counts hold on a loaded machine; the latency does not.
 * 3. Timeline: 1,000,000 messages seeded with set-based SQL (generate_series), one customer holding
 *    10,000 of them interleaved with everyone else's, then vacuumed and checkpointed (the steady
 *    state of a table filled over time); the first page (50) of that customer's timeline through
 *    HistoryApi, sequentially. Baseline: a primary-key lookup of one message on the same pool.
 *    Target: p99 ≤ 20 ms.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { HISTORY_API, type HistoryApi } from '@switchboard/contracts';
import { HistoryAppConfig, HistoryModule } from '@switchboard/app-history';
import { KafkaEventBus, MessagingModule } from '@switchboard/messaging';
import {
  HealthModule,
  LoggingModule,
  PlatformConfigModule,
  getServiceDataSourceToken,
} from '@switchboard/platform';
import { createTestDatabase, inboundMessageEvent, startAppProcess } from '@switchboard/testing';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { fmt, formatTable, percentile, processCpuSeconds, useBroker } from './bench.util.js';

// `node dist/bench/history.bench.js <messages> <timeline calls> <paced rate/s> <paced seconds>`;
// 0 timeline calls skips the seed and the timeline, a paced rate of 0 the paced phase.
// BENCH_CPU_PROF=<dir> runs the app under `--cpu-prof` (its profile written there on exit).
const INGEST_MESSAGES = Number(process.argv[2] ?? 50_000);
const TIMELINE_CALLS = Number(process.argv[3] ?? 2_000);
const PACED_RATE = Number(process.argv[4] ?? 500);
const PACED_SECONDS = Number(process.argv[5] ?? 10);
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;
const TOTAL_MESSAGES = 1_000_000;
const BIG_CUSTOMER_MESSAGES = 10_000;
const SENDERS = 5_000;
const PARTITIONS = 4;
const WORKSPACE = '00000000-0000-4000-8000-0000000000b1';

const broker = await useBroker();
const database = await createTestDatabase('bench_history');
const topicPrefix = `bench-history-${randomUUID().slice(0, 8)}.`;
const db = new pg.Pool({ connectionString: database.url, max: 4, application_name: 'bench' });
const env = {
  DATABASE_URL: database.url,
  KAFKA_BROKERS: broker.brokers,
  KAFKA_TOPIC_PREFIX: topicPrefix,
  KAFKA_PARTITIONS: String(PARTITIONS),
  LOG_LEVEL: 'warn',
};
const out = (line: string) => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
out(`load average at start: ${load()} (2 cores; compare rows of one run only)`);
const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

// 1. Ingest ----------------------------------------------------------------------------------
out(`publishing ${fmt(INGEST_MESSAGES, 0)} inbound messages from ${fmt(SENDERS, 0)} senders to Kafka…`);
const events = Array.from({ length: INGEST_MESSAGES }, (_, i) =>
  inboundMessageEvent({
    workspaceId: WORKSPACE,
    sender: {
      kind: 'phone',
      address: `+1415${String(5_000_000 + (i % SENDERS)).padStart(7, '0')}`,
      verified: true,
    },
    text: `Hello, this is message ${i} about order ${i % 977}`,
  }),
);
const producer = new KafkaEventBus({
  brokers: broker.brokers.split(','),
  clientId: 'bench-channels',
  topicPrefix,
  partitions: PARTITIONS,
  replicationFactor: 1,
});
for (let i = 0; i < events.length; i += 5_000) {
  await producer.emit(events.slice(i, i + 5_000));
}
await producer.close();
// Published: the bench process need not keep 50,000 envelopes alive (and collect them) while it times.
events.length = 0;

out('starting history and timing Kafka → committed rows…');
const app = await startAppProcess(
  'history',
  env,
  CPU_PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`],
);
await app.waitUntilReady(60_000);
let first: { at: number; n: number } | undefined;
let last: { at: number; n: number };
for (;;) {
  const n = await count('SELECT count(*) AS n FROM history.messages');
  const at = performance.now();
  if (n > 0 && first === undefined) first = { at, n };
  last = { at, n };
  if (n >= INGEST_MESSAGES) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const ingestRate = (last.n - first!.n) / ((last.at - first!.at) / 1000);
while ((await count('SELECT count(*) AS n FROM history.outbox')) > 0) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const relayedAt = performance.now();
const eventsRate = (last.n - first!.n) / ((relayedAt - first!.at) / 1000);

// 2. Paced ingest ----------------------------------------------------------------------------
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const paced = PACED_RATE > 0 ? await pacedIngest() : undefined;
await app.stop('SIGTERM');

/** The app's PostgreSQL backends (every connection to the bench's database but the bench's own). */
async function backendPids(): Promise<number[]> {
  const { rows: found } = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name <> 'bench'`,
  );
  return found.map((r) => r.pid);
}

async function transactions(): Promise<number> {
  // Backends flush their counts at most once a second when idle.
  await sleep(1_500);
  return count(
    'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
  );
}

/** CPU ms per second of the app and its backends while nothing arrives: what a drain's wait costs. */
async function idleCpu(seconds: number) {
  const appBefore = processCpuSeconds(app.child.pid!);
  const pgBefore = new Map((await backendPids()).map((pid) => [pid, processCpuSeconds(pid)]));
  await sleep(seconds * 1000);
  let pg = 0;
  for (const pid of new Set([...pgBefore.keys(), ...(await backendPids())]))
    pg += Math.max(0, processCpuSeconds(pid) - (pgBefore.get(pid) ?? 0));
  return {
    appMsPerSecond: ((processCpuSeconds(app.child.pid!) - appBefore) * 1000) / seconds,
    pgMsPerSecond: (pg * 1000) / seconds,
  };
}

async function pacedIngest() {
  const idle = await idleCpu(10);
  const pacer = new KafkaEventBus({
    brokers: broker.brokers.split(','),
    clientId: 'bench-channels-paced',
    topicPrefix,
    partitions: PARTITIONS,
    replicationFactor: 1,
  });
  const total = Math.round(PACED_RATE * PACED_SECONDS);
  const storedBefore = await count('SELECT count(*) AS n FROM history.messages');
  const transactionsBefore = await transactions();
  const cpuOf = (pids: readonly number[]) => new Map(pids.map((pid) => [pid, processCpuSeconds(pid)]));
  const appBefore = processCpuSeconds(app.child.pid!);
  const pgBefore = cpuOf(await backendPids());
  const began = performance.now();
  const publishes: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * PACED_RATE));
    const tick: ReturnType<typeof inboundMessageEvent>[] = [];
    for (; sent < due; sent += 1) {
      tick.push(
        inboundMessageEvent({
          workspaceId: WORKSPACE,
          sender: {
            kind: 'phone',
            address: `+1650${String(1_000_000 + sent).padStart(7, '0')}`,
            verified: true,
          },
          text: `Hello, this is paced message ${sent}`,
        }),
      );
    }
    // A publish Kafka did not acknowledge in time (a loaded machine) is sent again: history
    // stores a message once whatever its deliveries (provider ids), so counts stay right.
    const publish = (events: typeof tick): Promise<void> =>
      pacer.emit(events).catch(() => sleep(100).then(() => publish(events)));
    if (tick.length > 0) publishes.push(publish(tick));
    await sleep(10);
  }
  await Promise.all(publishes);
  await pacer.close();
  while ((await count('SELECT count(*) AS n FROM history.messages')) < storedBefore + total) await sleep(20);
  while ((await count('SELECT count(*) AS n FROM history.outbox')) > 0) await sleep(20);
  const seconds = (performance.now() - began) / 1000;
  const appCpu = processCpuSeconds(app.child.pid!) - appBefore;
  let pgCpu = 0;
  for (const [pid, now] of cpuOf([...new Set([...pgBefore.keys(), ...(await backendPids())])]))
    pgCpu += Math.max(0, now - (pgBefore.get(pid) ?? 0));
  const transactionCount = (await transactions()) - transactionsBefore;
  const { rows: latency } = await db.query<{ p50: number; p99: number; max: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
            max(ms) AS max
     FROM (SELECT extract(epoch FROM created_at - received_at)::float8 * 1000 AS ms
           FROM history.messages WHERE sender_address LIKE '+1650%') AS m`,
  );
  return {
    idle,
    total,
    seconds,
    appCpuMs: (appCpu * 1000) / total,
    pgCpuMs: (pgCpu * 1000) / total,
    transactions: transactionCount / total,
    latency: latency[0]!,
  };
}

out('baseline: the same rows as plain batched INSERTs…');
await db.query('CREATE TABLE history.messages_baseline (LIKE history.messages INCLUDING ALL)');
const { rows: stored } = await db.query<Record<string, unknown>>('SELECT * FROM history.messages');
const baselineStart = performance.now();
for (let i = 0; i < stored.length; i += 500) {
  const chunk = stored.slice(i, i + 500);
  await db.query(
    `INSERT INTO history.messages_baseline
       (id, workspace_id, event_id, direction, channel, channel_account_id, provider_message_id, sender_kind,
        sender_address, text, attachments, received_at, conversation_id, customer_id, sequence, sender, created_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::timestamptz[], $13::uuid[],
                          $14::uuid[], $15::int[], $16::jsonb[], $17::timestamptz[])`,
    [
      chunk.map(() => randomUUID()),
      chunk.map((r) => r.workspace_id),
      chunk.map((r) => r.event_id),
      chunk.map((r) => r.direction),
      chunk.map((r) => r.channel),
      chunk.map((r) => r.channel_account_id),
      chunk.map((r) => `${String(r.provider_message_id)}-b`),
      chunk.map((r) => r.sender_kind),
      chunk.map((r) => r.sender_address),
      chunk.map((r) => r.text),
      chunk.map((r) => JSON.stringify(r.attachments)),
      chunk.map((r) => r.received_at),
      chunk.map(() => randomUUID()),
      chunk.map((r) => r.customer_id),
      chunk.map((r) => r.sequence),
      chunk.map((r) => JSON.stringify(r.sender)),
      chunk.map((r) => r.created_at),
    ],
  );
}
const baselineRate = stored.length / ((performance.now() - baselineStart) / 1000);
stored.length = 0;
await db.query('DROP TABLE history.messages_baseline');
out(
  `ingest: ${fmt(ingestRate, 0)} messages/s (events relayed: ${fmt(eventsRate, 0)}/s); baseline INSERT: ${fmt(baselineRate, 0)} rows/s`,
);

if (paced !== undefined) {
  out(
    formatTable([
      [
        `paced ingest, ${fmt(PACED_RATE, 0)}/s for ${fmt(PACED_SECONDS, 0)} s, each a new customer`,
        'per message',
        '',
      ],
      ['history app: CPU ms', fmt(paced.appCpuMs, 3), 'from /proc, drain and idle work included'],
      ['its PostgreSQL backends: CPU ms', fmt(paced.pgCpuMs, 3), ''],
      ['database transactions', fmt(paced.transactions, 3), 'pg_stat_database, commits + rollbacks'],
      [
        'idle, before: CPU ms per second, app / backends',
        `${fmt(paced.idle.appMsPerSecond, 1)} / ${fmt(paced.idle.pgMsPerSecond, 1)}`,
        'nothing arriving, over 10 s',
      ],
      [
        'published → committed, p50 / p99 / max ms',
        `${fmt(paced.latency.p50, 1)} / ${fmt(paced.latency.p99, 1)} / ${fmt(paced.latency.max, 1)}`,
        `${fmt(paced.total, 0)} messages stored and relayed in ${fmt(paced.seconds, 1)} s`,
      ],
    ]),
  );
}
if (TIMELINE_CALLS === 0) {
  await db.end();
  await database.drop();
  await broker.stop();
  out(`load average at the end: ${load()}`);
  process.exit(0);
}

// 3. Timeline --------------------------------------------------------------------------------
const seedCount = TOTAL_MESSAGES - (await count('SELECT count(*) AS n FROM history.messages'));
out(`seeding ${fmt(seedCount, 0)} more messages with generate_series (1,000,000 in all)…`);
const seedStart = performance.now();
const BIG = '00000000-0000-4000-8000-00000000b16c';
const BIG_CONVERSATION = '00000000-0000-4000-8000-00000000b16d';
const OTHERS = 10_000;
const seeder = await db.connect();
// Index builds after the bulk insert are the seed's longest step: give them memory.
await seeder.query("SET maintenance_work_mem = '256MB'");
await seeder.query('DROP INDEX history.messages_search');
await seeder.query('DROP INDEX history.messages_timeline');
await seeder.query(
  `INSERT INTO history.customers (id, workspace_id, name)
   SELECT ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid, $1::uuid, 'Customer ' || g
   FROM generate_series(1, $2::int) g
   UNION ALL SELECT $3::uuid, $1::uuid, 'Big customer'`,
  [WORKSPACE, OTHERS, BIG],
);
await seeder.query(
  `INSERT INTO history.conversations (id, workspace_id, customer_id, status, opened_at, last_message_at, last_sequence)
   SELECT ('00000000-0000-4000-b000-' || lpad(to_hex(g), 12, '0'))::uuid, $1::uuid,
          ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid, 'resolved', now(), now(), 0
   FROM generate_series(1, $2::int) g
   UNION ALL SELECT $4::uuid, $1::uuid, $3::uuid, 'resolved', now(), now(), $5::int`,
  [WORKSPACE, OTHERS, BIG, BIG_CONVERSATION, BIG_CUSTOMER_MESSAGES],
);
// The big customer's messages every (seed / 10,000)-th row in time: interleaved with everyone's.
await seeder.query(
  `INSERT INTO history.messages
     (id, workspace_id, direction, channel, channel_account_id, provider_message_id, sender_kind, sender_address,
      text, attachments, received_at, conversation_id, customer_id, sequence, sender, created_at)
   SELECT gen_random_uuid(), $1::uuid, 'in', 'sms', 'seed', 'SEED' || g, 'phone', '+1999' || g,
          'Seeded message ' || g || ' about order ' || (g % 977), '[]', ts, conv, cust, seq,
          '{"type":"customer"}', ts
   FROM (
     SELECT g, now() - g * interval '1 second' AS ts,
            CASE WHEN g % $2::int = 0 THEN $4::uuid
                 ELSE ('00000000-0000-4000-b000-' || lpad(to_hex(1 + g % $3::int), 12, '0'))::uuid END AS conv,
            CASE WHEN g % $2::int = 0 THEN $5::uuid
                 ELSE ('00000000-0000-4000-a000-' || lpad(to_hex(1 + g % $3::int), 12, '0'))::uuid END AS cust,
            CASE WHEN g % $2::int = 0 THEN g / $2::int
                 ELSE row_number() OVER (PARTITION BY g % $2::int = 0, g % $3::int ORDER BY g)::int END AS seq
     FROM generate_series(1, $6::int) g
   ) s`,
  [WORKSPACE, Math.floor(seedCount / BIG_CUSTOMER_MESSAGES), OTHERS, BIG_CONVERSATION, BIG, seedCount],
);
await seeder.query(
  'CREATE INDEX messages_timeline ON history.messages (workspace_id, customer_id, created_at DESC, id DESC)',
);
await seeder.query('CREATE INDEX messages_search ON history.messages USING gin (search)');
// The seed is a bulk load of about a gigabyte: left alone, PostgreSQL writes it back (checkpoint)
// and vacuums it (autovacuum's insert threshold) while the pages are timed. A table that has been
// filled over months is past both: bring this one there before timing it.
await seeder.query('VACUUM (ANALYZE) history.messages');
await seeder.query('CHECKPOINT');
seeder.release();
const seedSeconds = (performance.now() - seedStart) / 1000;
const total = await count('SELECT count(*) AS n FROM history.messages');
const bigCount = await count(`SELECT count(*) AS n FROM history.messages WHERE customer_id = '${BIG}'`);

@Module({
  imports: [
    PlatformConfigModule.forRoot(HistoryAppConfig, { env }),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    HistoryModule,
  ],
})
class BenchModule {}
const context = await NestFactory.createApplicationContext(BenchModule, { logger: false });
const api = context.get<HistoryApi>(HISTORY_API);
const pool = context.get<DataSource>(getServiceDataSourceToken('history'));
const someId = (await db.query<{ id: string }>('SELECT id FROM history.messages LIMIT 1 OFFSET 500000'))
  .rows[0]!.id;

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 200; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < TIMELINE_CALLS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}
let firstPageSize = 0;
const timeline = await time(async () => {
  firstPageSize = (await api.getTimeline(WORKSPACE, BIG, { pageSize: 50 })).items.length;
});
const plan = await pool.query<{ 'QUERY PLAN': string }[]>(
  // The page query's shape: every column, so the rows are read (not an index-only scan).
  `EXPLAIN (ANALYZE, BUFFERS) SELECT m.* FROM history.messages m WHERE m.workspace_id = $1 AND m.customer_id = $2
   ORDER BY m.created_at DESC, m.id DESC LIMIT 51`,
  [WORKSPACE, BIG],
);
const pk = await time(() => pool.query('SELECT * FROM history.messages WHERE id = $1', [someId]));
await context.close();
await db.end();
await database.drop();
await broker.stop();

out('');
out(
  formatTable([
    ['ingest (Kafka → committed rows)', 'messages/s', ''],
    ['history app', fmt(ingestRate, 0), `${fmt(INGEST_MESSAGES, 0)} messages, ${PARTITIONS} partitions`],
    ['  … and their events relayed to Kafka', fmt(eventsRate, 0), 'first row → outbox empty'],
    ['baseline: plain INSERT batches of 500', fmt(baselineRate, 0), 'same rows, same indexes, 1 connection'],
  ]),
);
out('');
out(`seeded ${fmt(total, 0)} messages in ${fmt(seedSeconds)} s; the customer holds ${fmt(bigCount, 0)}`);
out(
  formatTable([
    ['first timeline page (50)', 'p50 ms', 'p99 ms', 'max ms'],
    [
      'HistoryApi.getTimeline',
      fmt(percentile(timeline, 50), 2),
      fmt(percentile(timeline, 99), 2),
      fmt(timeline.at(-1)!, 2),
    ],
    [
      'baseline: primary-key lookup',
      fmt(percentile(pk, 50), 2),
      fmt(percentile(pk, 99), 2),
      fmt(pk.at(-1)!, 2),
    ],
  ]),
);
out(`load average at the end: ${load()}`);
out('plan of the page query:');
for (const row of plan.slice(0, 6)) out(`  ${row['QUERY PLAN']}`);
out(
  `(${fmt(TIMELINE_CALLS, 0)} sequential calls each after 200 to warm up; page had ${firstPageSize} items)`,
);
