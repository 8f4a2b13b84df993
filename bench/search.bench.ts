/**
 * `npm run bench:search` (issue #18's target), beside a baseline measured in the same run:
 *
 * 1,000,000 messages seeded with set-based SQL (generate_series) into a scratch database: 900,000
 * in the benchmarked workspace, 100,000 in another (the indexes hold both). Texts mix a few common
 * words (each in 1 message of 20), 2,000 middling ones (1 in 2,000) and order references (a handful
 * each); 20,000 customers with names and phone numbers, a conversation each: one in five open,
 * one in ten labelled, one in four unassigned and the others held by one of 40 agents, on the web
 * (60 %), SMS (30 %) or WhatsApp (10 %). Then vacuumed and checkpointed (the steady state of a
 * table filled over time).
 *
 * Timed through HistoryApi.search in process, sequentially, cycling through the kinds of query an
 * agent types (a common word, a middling word, a reference, two words, a name, a phone's digits)
 * and a common word with each filter (status, label, dates, channel, one agent's, unassigned, two
 * filters, a status and a channel no message has), printed together as well. Baseline: a
 * primary-key lookup of one message on the same pool. Also timed: opening a conversation as the
 * inbox did (conversation, then customer, first timeline page and merge suggestions) and as it
 * does (HistoryApi.openConversation, one statement). Target: search p99 ≤ 100 ms; opening p99 ≤
 * 100 ms. BENCH_KEEP_DB=1 keeps the scratch database (its URL printed) for EXPLAIN ANALYZE;
 * BENCH_DB_URL=<that URL> times it again without seeding (before and after a change, same rows).
 */
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HISTORY_API, type HistoryApi, type SearchQuery } from '@switchboard/contracts';
import { HistoryAppConfig, HistoryModule } from '@switchboard/app-history';
import { MessagingModule } from '@switchboard/messaging';
import {
  HealthModule,
  LoggingModule,
  PlatformConfigModule,
  getServiceDataSourceToken,
} from '@switchboard/platform';
import { createTestDatabase } from '@switchboard/testing';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { fmt, formatTable, percentile, useBroker } from './bench.util.js';

const CALLS = Number(process.argv[2] ?? 2_000);
const TOTAL_MESSAGES = 1_000_000;
const OTHER_WORKSPACE_MESSAGES = 100_000;
const CUSTOMERS = 20_000;
const WORKSPACE = '00000000-0000-4000-8000-0000000000c1';
const OTHER_WORKSPACE = '00000000-0000-4000-8000-0000000000c2';

const out = (line: string) => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
out(`load average at start: ${load()} (2 cores; compare rows of one run only)`);

const broker = await useBroker();
const reused = process.env.BENCH_DB_URL;
const database = reused
  ? { url: reused, drop: () => Promise.resolve() }
  : await createTestDatabase('bench_search');
const env = {
  DATABASE_URL: database.url,
  KAFKA_BROKERS: broker.brokers,
  KAFKA_TOPIC_PREFIX: `bench-search-${randomUUID().slice(0, 8)}.`,
  KAFKA_PARTITIONS: '2',
  LOG_LEVEL: 'warn',
};

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
// Starting history runs its migrations: the schema, its indexes and extensions are the app's own.
const context = await NestFactory.createApplicationContext(BenchModule, { logger: false });
const api = context.get<HistoryApi>(HISTORY_API);
const pool = context.get<DataSource>(getServiceDataSourceToken('history'));
const db = new pg.Pool({ connectionString: database.url, max: 2 });

// A conversation's channel by its number g (its messages are on it).
const CHANNEL_OF_G = `CASE WHEN abs(hashint4(g + 3)) % 10 < 6 THEN 'web' WHEN abs(hashint4(g + 3)) % 10 < 9 THEN 'sms' ELSE 'whatsapp' END`;
const FIRST = ['anna', 'ben', 'carla', 'david', 'elena', 'farid', 'grace', 'hugo', 'ines', 'jonas'];
const LAST = [
  'smith',
  'garcia',
  'müller',
  'rossi',
  'nowak',
  'dubois',
  'silva',
  'kowalski',
  'jensen',
  'okafor',
];

/** Seeds the scratch database (see the header); answers the label's id and the seconds it took. */
async function seed(): Promise<{ billingId: string; seconds: number }> {
  out(`seeding ${fmt(TOTAL_MESSAGES, 0)} messages with generate_series…`);
  const seedStart = performance.now();
  const billing = await api.createLabel(WORKSPACE, { name: 'Billing', colour: '#aa3355' });
  const seeder = await db.connect();
  await seeder.query("SET maintenance_work_mem = '256MB'");
  // Bulk load without the message indexes, then build them once (as a restore would).
  const indexes = (
    await seeder.query<{ def: string; name: string }>(
      `SELECT indexdef AS def, indexname AS name FROM pg_indexes
       WHERE schemaname = 'history' AND tablename = 'messages' AND indexname NOT LIKE '%pkey'
         AND indexdef NOT LIKE 'CREATE UNIQUE%'`,
    )
  ).rows;
  for (const index of indexes) await seeder.query(`DROP INDEX history.${index.name}`);
  for (const [workspace, customers] of [
    [WORKSPACE, CUSTOMERS],
    [OTHER_WORKSPACE, CUSTOMERS / 10],
  ] as const) {
    // Ids from the workspace's last byte and the row number: the message seed finds them by arithmetic.
    const tag = workspace.slice(-2);
    await seeder.query(
      `INSERT INTO history.customers (id, workspace_id, name)
       SELECT ('00000000-0000-4000-a0${tag}-' || lpad(to_hex(g), 12, '0'))::uuid, $1::uuid,
              initcap(($3::text[])[1 + g % 10]) || ' ' || initcap(($4::text[])[1 + (g / 10) % 10]) || ' ' || g
       FROM generate_series(1, $2::int) g`,
      [workspace, customers, FIRST, LAST],
    );
    await seeder.query(
      `INSERT INTO history.identities (id, workspace_id, customer_id, kind, value, verified)
       SELECT gen_random_uuid(), $1::uuid, ('00000000-0000-4000-a0${tag}-' || lpad(to_hex(g), 12, '0'))::uuid, 'phone',
              '+1415' || lpad((5000000 + g)::text, 7, '0'), true
       FROM generate_series(1, $2::int) g`,
      [workspace, customers],
    );
    // One conversation in five open; one in four unassigned, the others held by one of 40 agents
    // (about 1 in 53 conversations each); web 60 %, SMS 30 %, WhatsApp 10 %.
    await seeder.query(
      `INSERT INTO history.conversations
         (id, workspace_id, customer_id, status, channel, assignee_id, opened_at, last_message_at, last_sequence)
       SELECT ('00000000-0000-4000-b0${tag}-' || lpad(to_hex(g), 12, '0'))::uuid, $1::uuid,
              ('00000000-0000-4000-a0${tag}-' || lpad(to_hex(g), 12, '0'))::uuid,
              CASE WHEN abs(hashint4(g)) % 5 = 0 THEN 'open' ELSE 'resolved' END, ${CHANNEL_OF_G},
              CASE WHEN abs(hashint4(g + 5)) % 4 = 0 THEN NULL ELSE 'agent-' || abs(hashint4(g + 6)) % 40 END,
              now(), now(), 0
       FROM generate_series(1, $2::int) g`,
      [workspace, customers],
    );
    const messages =
      workspace === WORKSPACE ? TOTAL_MESSAGES - OTHER_WORKSPACE_MESSAGES : OTHER_WORKSPACE_MESSAGES;
    // Text: a common word (1 in 20 messages each), a middling one (1 in 2,000), an order reference
    // (about 5 messages each), and filler. Sequences per conversation by row_number.
    await seeder.query(
      `INSERT INTO history.messages
         (id, workspace_id, direction, channel, channel_account_id, provider_message_id, sender_kind, sender_address,
          text, attachments, received_at, conversation_id, customer_id, sequence, sender, created_at)
       SELECT gen_random_uuid(), $1::uuid, 'in', channel, 'seed', 'SEED${tag}-' || g, 'phone', '+1999' || g,
              'Hello, ' || (ARRAY['refund','invoice','delivery','password','upgrade','cancel','broken','shipping',
                                  'coupon','account','login','payment','address','warranty','return','exchange',
                                  'discount','tracking','damaged','subscription'])[1 + abs(hashint4(g)) % 20]
              || ' question, word' || (abs(hashint4(g + 1000000)) % 2000) || ' and order R' || (abs(hashint4(g + 2000000)) % 180000)
              || ' please reply soon', '[]', ts, conv, cust,
              row_number() OVER (PARTITION BY conv ORDER BY g)::int, '{"type":"customer"}', ts
       FROM (
         SELECT g, now() - g * interval '1 second' AS ts,
                ('00000000-0000-4000-b0${tag}-' || lpad(to_hex(1 + g % $2::int), 12, '0'))::uuid AS conv,
                ('00000000-0000-4000-a0${tag}-' || lpad(to_hex(1 + g % $2::int), 12, '0'))::uuid AS cust,
                ${CHANNEL_OF_G.replaceAll('(g', '(1 + g % $2::int')} AS channel
         FROM generate_series(1, $3::int) g
       ) s`,
      [workspace, customers, messages],
    );
  }
  await seeder.query(
    `UPDATE history.conversations c SET last_sequence = s.n
     FROM (SELECT conversation_id, max(sequence) AS n FROM history.messages GROUP BY conversation_id) s
     WHERE s.conversation_id = c.id`,
  );
  await seeder.query(
    `INSERT INTO history.conversation_labels (workspace_id, conversation_id, label_id)
     SELECT workspace_id, id, $2::uuid FROM history.conversations WHERE workspace_id = $1 AND abs(hashtext(id::text)) % 10 = 0`,
    [WORKSPACE, billing.id],
  );
  for (const index of indexes) await seeder.query(index.def);
  await seeder.query('VACUUM (ANALYZE) history.messages');
  await seeder.query('ANALYZE');
  await seeder.query('CHECKPOINT');
  seeder.release();
  return { billingId: billing.id, seconds: (performance.now() - seedStart) / 1000 };
}
// BENCH_DB_URL: a database a run kept (BENCH_KEEP_DB=1) is timed again as it is, not seeded anew —
// before and after a change, on the same rows.
const seeded = reused
  ? {
      billingId: (await api.listLabels(WORKSPACE)).find((l) => l.name === 'Billing')!.id,
      seconds: 0,
    }
  : await seed();
const billing = { id: seeded.billingId };
const seedSeconds = seeded.seconds;

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
// A common word (1 message in 20) with each filter the search box offers: the shapes where
// newest-first can pay (ADR 0116, ADR 0122). Their rows are printed together as well.
const filtered: [string, Omit<SearchQuery, 'pageSize'>][] = [
  ['a common word, open only', { text: 'delivery', status: ['open', 'pending'] }],
  ['a common word, labelled', { text: 'coupon', labelId: billing.id }],
  ['a common word, last week', { text: 'payment', from: day(7), to: day(0) }],
  ['a common word, one day', { text: 'account', from: day(6), to: day(5) }],
  ['a common word, WhatsApp', { text: 'shipping', channel: 'whatsapp' }],
  ['a common word, one agent’s', { text: 'refund', assigneeId: 'agent-7' }],
  ['a common word, unassigned', { text: 'invoice', unassigned: true }],
  ['a common word, open + labelled', { text: 'login', status: ['open', 'pending'], labelId: billing.id }],
  ['a common word, pending (none is)', { text: 'warranty', status: ['pending'] }],
  ['a common word, Telegram (none is)', { text: 'tracking', channel: 'telegram' }],
];
const queries: [string, Omit<SearchQuery, 'pageSize'>][] = [
  ['a common word', { text: 'refund' }],
  ['a middling word', { text: 'word1234' }],
  ['an order reference', { text: 'R98765' }],
  ['two words', { text: 'invoice word42' }],
  ['a phrase', { text: '"password question"' }],
  ['a name', { text: 'carla' }],
  ['a phone, as typed', { text: '415 500 12' }],
  ...filtered,
];
const someId = (await db.query<{ id: string }>('SELECT id FROM history.messages LIMIT 1 OFFSET 500000'))
  .rows[0]!.id;
const conversationIds = (
  await db.query<{ id: string; customer_id: string }>(
    'SELECT id, customer_id FROM history.conversations WHERE workspace_id = $1 ORDER BY id LIMIT 500',
    [WORKSPACE],
  )
).rows;

async function time(fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 100; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return samples;
}
const byKind = new Map<string, number[]>(queries.map(([kind]) => [kind, []]));
const found = new Map<string, number>();
let leaked = 0;
const search = await time(async (i) => {
  const [kind, query] = queries[i % queries.length]!;
  const start = performance.now();
  const result = await api.search(WORKSPACE, { ...query, pageSize: 20 });
  byKind.get(kind)!.push(performance.now() - start);
  found.set(kind, result.messages.length + result.customers.length);
  leaked += result.messages.filter((m) => m.message.workspaceId !== WORKSPACE).length;
});
const open = await time(async (i) => {
  const c = conversationIds[i % conversationIds.length]!;
  const conversation = await api.getConversation(WORKSPACE, c.id);
  await Promise.all([
    api.getCustomer(WORKSPACE, conversation.customerId),
    api.getTimeline(WORKSPACE, conversation.customerId, { pageSize: 50 }),
    api.listMergeSuggestions(WORKSPACE, conversation.customerId),
  ]);
});
const openOne = await time(async (i) => {
  const c = conversationIds[i % conversationIds.length]!;
  await api.openConversation(WORKSPACE, c.id, { timelinePageSize: 50 });
});
const pk = await time(() => pool.query('SELECT * FROM history.messages WHERE id = $1', [someId]));
const plan = await pool.query<{ 'QUERY PLAN': string }[]>(
  `EXPLAIN ANALYZE SELECT m.id FROM history.messages m
   WHERE m.workspace_id = $1 AND m.search @@ websearch_to_tsquery('simple', 'refund') AND NOT m.erased
   ORDER BY m.created_at DESC, m.id DESC LIMIT 21`,
  [WORKSPACE],
);
await context.close();
await db.end();
if (process.env.BENCH_KEEP_DB || reused) out(`kept ${database.url}`);
else await database.drop();
await broker.stop();

const row = (name: string, samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return [name, fmt(percentile(sorted, 50), 2), fmt(percentile(sorted, 99), 2), fmt(sorted.at(-1)!, 2)];
};
out('');
out(
  reused
    ? `timed on ${reused} as a run kept it (${fmt(TOTAL_MESSAGES, 0)} messages, not seeded again)`
    : `seeded ${fmt(TOTAL_MESSAGES, 0)} messages (${fmt(OTHER_WORKSPACE_MESSAGES, 0)} in another workspace) in ${fmt(seedSeconds)} s`,
);
out(
  formatTable([
    ['call', 'p50 ms', 'p99 ms', 'max ms'],
    row('HistoryApi.search, every kind below', search),
    row(
      'HistoryApi.search, a common word with a filter',
      filtered.flatMap(([kind]) => byKind.get(kind)!),
    ),
    row('baseline: primary-key lookup', pk),
    row('opening a conversation (4 calls, before)', open),
    row('opening a conversation (openConversation)', openOne),
    ...queries.map(([kind]) => row(`  search: ${kind} (${found.get(kind)} hits)`, byKind.get(kind)!)),
  ]),
);
out(`messages of another workspace returned: ${leaked}`);
out(`load average at the end: ${load()}`);
out('plan of a common word, newest first:');
for (const line of plan.slice(0, 8)) out(`  ${line['QUERY PLAN']}`);
out(`(${fmt(CALLS, 0)} sequential calls of each after 100 to warm up)`);
if (leaked > 0) process.exitCode = 1;
