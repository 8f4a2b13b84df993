/**
 * `npm run bench:search` (issue #18's target), beside a baseline measured in the same run:
 *
 * 1,000,000 messages seeded with set-based SQL (generate_series) into a scratch database: 900,000
 * in the benchmarked workspace, 100,000 in another (the indexes hold both). Texts mix a few common
 * words (each in 1 message of 20), 2,000 middling ones (1 in 2,000) and order references (a handful
 * each); 20,000 customers with names and phone numbers; one conversation of ten labelled. Then
 * vacuumed and checkpointed (the steady state of a table filled over time).
 *
 * Timed through HistoryApi.search in process, sequentially, cycling through the kinds of query an
 * agent types (a common word, a middling word, a reference, two words, a name, a phone's digits,
 * filters by status, label and date). Baseline: a primary-key lookup of one message on the same
 * pool. Also timed: opening a conversation as the inbox did (conversation, then customer, first
 * timeline page and merge suggestions) and as it does (HistoryApi.openConversation, one statement).
 * Target: search p99 ≤ 100 ms; opening p99 ≤ 100 ms. BENCH_KEEP_DB=1 keeps the scratch database
 * (its URL printed) for EXPLAIN ANALYZE.
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
const database = await createTestDatabase('bench_search');
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
  await seeder.query(
    `INSERT INTO history.conversations (id, workspace_id, customer_id, status, channel, opened_at, last_message_at, last_sequence)
     SELECT ('00000000-0000-4000-b0${tag}-' || lpad(to_hex(g), 12, '0'))::uuid, $1::uuid,
            ('00000000-0000-4000-a0${tag}-' || lpad(to_hex(g), 12, '0'))::uuid,
            CASE WHEN abs(hashint4(g)) % 5 = 0 THEN 'open' ELSE 'resolved' END, 'sms', now(), now(), 0
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
     SELECT gen_random_uuid(), $1::uuid, 'in', 'sms', 'seed', 'SEED${tag}-' || g, 'phone', '+1999' || g,
            'Hello, ' || (ARRAY['refund','invoice','delivery','password','upgrade','cancel','broken','shipping',
                                'coupon','account','login','payment','address','warranty','return','exchange',
                                'discount','tracking','damaged','subscription'])[1 + abs(hashint4(g)) % 20]
            || ' question, word' || (abs(hashint4(g + 1000000)) % 2000) || ' and order R' || (abs(hashint4(g + 2000000)) % 180000)
            || ' please reply soon', '[]', ts, conv, cust,
            row_number() OVER (PARTITION BY conv ORDER BY g)::int, '{"type":"customer"}', ts
     FROM (
       SELECT g, now() - g * interval '1 second' AS ts,
              ('00000000-0000-4000-b0${tag}-' || lpad(to_hex(1 + g % $2::int), 12, '0'))::uuid AS conv,
              ('00000000-0000-4000-a0${tag}-' || lpad(to_hex(1 + g % $2::int), 12, '0'))::uuid AS cust
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
const seedSeconds = (performance.now() - seedStart) / 1000;

const queries: [string, Omit<SearchQuery, 'pageSize'>][] = [
  ['a common word', { text: 'refund' }],
  ['a middling word', { text: 'word1234' }],
  ['an order reference', { text: 'R98765' }],
  ['two words', { text: 'invoice word42' }],
  ['a phrase', { text: '"password question"' }],
  ['a name', { text: 'carla' }],
  ['a phone, as typed', { text: '415 500 12' }],
  ['a word, open only', { text: 'delivery', status: ['open', 'pending'] }],
  ['a word, labelled', { text: 'coupon', labelId: billing.id }],
  [
    'a word, last week',
    {
      text: 'payment',
      from: new Date(Date.now() - 7 * 86_400_000).toISOString(),
      to: new Date().toISOString(),
    },
  ],
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
if (process.env.BENCH_KEEP_DB) out(`kept ${database.url}`);
else await database.drop();
await broker.stop();

const row = (name: string, samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return [name, fmt(percentile(sorted, 50), 2), fmt(percentile(sorted, 99), 2), fmt(sorted.at(-1)!, 2)];
};
out('');
out(
  `seeded ${fmt(TOTAL_MESSAGES, 0)} messages (${fmt(OTHER_WORKSPACE_MESSAGES, 0)} in another workspace) in ${fmt(seedSeconds)} s`,
);
out(
  formatTable([
    ['call', 'p50 ms', 'p99 ms', 'max ms'],
    row('HistoryApi.search, every kind below', search),
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
