/**
 * `npm run bench:reports`
 *
 * 1. Reports over 1,000,000 conversations: a month of one workspace's conversations is generated
 *    directly into the reporting tables (`reporting.conversations`, and the hourly buckets the
 *    consumer would have built from them), then `ReportingApi.getReport` is asked for the month
 *    by day (eleven conversation and queue metrics, in calendar and in business time), beside a
 *    plain indexed count of the same conversations by day, in the same run. Target (issue #19):
 *    p99 ≤ 200 ms.
 * 2. The consumer's throughput on the real broker: a backlog of events (conversations opened,
 *    assigned, answered, resolved, rated, and agents' presence) is published to Kafka, then the
 *    reporting app starts and drains it. Target: 5,000 events/s.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ReportingModule } from '@switchboard/app-reporting';
import {
  AgentPresenceChangedV1,
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationUnassignedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  CsatSubmittedV1,
  REPORTING_API,
  type EventEnvelope,
  type ReportingApi,
  type ReportQuery,
} from '@switchboard/contracts';
import { KafkaEventBus, MessagingModule, consume } from '@switchboard/messaging';
import {
  HealthModule,
  LoggingModule,
  PlatformConfigModule,
  getServiceDataSourceToken,
} from '@switchboard/platform';
import { createTestDatabase } from '@switchboard/testing';
import type { DataSource } from 'typeorm';
import { ReportingAppConfig } from '../apps/reporting/src/reporting-app.config.js';
import { fmt, formatTable, percentile, useBroker } from './bench.util.js';

const CONVERSATIONS = 1_000_000;
const EVENT_CONVERSATIONS = Number(process.env.BENCH_REPORTS_EVENT_CONVERSATIONS ?? 12_000);
const PARTITIONS = 12;

const broker = await useBroker();
const database = await createTestDatabase('bench_reports');
const prefix = `bench-reports-${randomUUID().slice(0, 8)}`;
const env = {
  LOG_LEVEL: 'warn',
  DATABASE_URL: database.url,
  KAFKA_BROKERS: broker.brokers,
  KAFKA_TOPIC_PREFIX: prefix,
  KAFKA_PARTITIONS: String(PARTITIONS),
};

// 2 first (its backlog is published before the app starts), then 1 on the same app.
const bus = new KafkaEventBus({
  brokers: broker.brokers.split(','),
  clientId: 'bench-reports',
  topicPrefix: prefix,
  partitions: PARTITIONS,
  replicationFactor: 1,
});
const workspaces = Array.from({ length: 24 }, () => randomUUID());
const backlog: EventEnvelope[] = [];
const day = Date.UTC(2026, 2, 2, 8);
for (let i = 0; i < EVENT_CONVERSATIONS; i++) {
  const workspaceId = workspaces[i % workspaces.length]!;
  const conversationId = randomUUID();
  const customerId = randomUUID();
  const t = day + i * 1000;
  const at = (s: number) => new Date(t + s * 1000).toISOString();
  const message = (sequence: number, s: number, opened: boolean) =>
    ConversationMessageAppendedV1.create({
      workspaceId,
      payload: {
        conversationId,
        customerId,
        messageId: randomUUID(),
        sequence,
        direction: opened ? 'in' : 'out',
        channel: 'web',
        channelAccountId: null,
        text: 'hello',
        attachments: [],
        sender: opened ? { type: 'customer' } : { type: 'agent', id: `agent-${i % 20}` },
        createdAt: at(s),
        openedConversation: opened,
      },
    });
  backlog.push(
    message(1, 0, true),
    ConversationAssignedV1.create({
      workspaceId,
      payload: {
        conversationId,
        queueId: `queue-${i % 4}`,
        agentId: `agent-${i % 20}`,
        mode: 'assign',
        assignedAt: at(5),
        explanation: { step: null, reason: 'bench', candidates: [] },
      },
    }),
    message(2, 30, false),
    ConversationStatusChangedV1.create({
      workspaceId,
      payload: {
        conversationId,
        customerId,
        status: 'resolved',
        previousStatus: 'open',
        changedBy: { type: 'agent' },
        changedAt: at(600),
      },
    }),
    CsatSubmittedV1.create({
      workspaceId,
      payload: {
        conversationId,
        channel: 'web',
        channelAccountId: 'widget',
        sender: { kind: 'web_visitor', address: customerId },
        rating: 1 + (i % 5),
        submittedAt: at(700),
      },
    }),
  );
  if (i % 10 === 0)
    backlog.push(
      AgentPresenceChangedV1.create({
        workspaceId,
        payload: {
          agentId: `agent-${i % 20}`,
          presence: i % 20 === 0 ? 'online' : 'away',
          reason: 'agent',
          changedAt: at(0),
        },
      }),
    );
}
for (let i = 0; i < backlog.length; i += 2000) await bus.emit(backlog.slice(i, i + 2000));
process.stdout.write(`published a backlog of ${fmt(backlog.length, 0)} events\n`);

// The baseline: the bus's own consume rate over the same backlog, in the same run — a group of
// the same topics whose handler does nothing but count, join included like the consumer's.
const REPORTED = [
  AgentPresenceChangedV1,
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationUnassignedV1,
  CsatSubmittedV1,
];
let baselineConsumed = 0;
const baselineStarted = performance.now();
const baseline = await bus.subscribe(
  consume({
    groupId: `bench.reports.baseline.${randomUUID().slice(0, 8)}`,
    accepts: REPORTED,
    handleBatch: (batch) => {
      baselineConsumed += batch.length;
      return Promise.resolve();
    },
  }),
);
while (baselineConsumed < backlog.length) await new Promise((r) => setTimeout(r, 50));
const baselineSeconds = (performance.now() - baselineStarted) / 1000;
await baseline.stop();
await bus.close();
process.stdout.write(
  `bus alone (a no-op consumer group): ${fmt(backlog.length, 0)} events in ${fmt(baselineSeconds, 2)} s: ` +
    `${fmt(backlog.length / baselineSeconds, 0)} events/s\n`,
);

@Module({
  imports: [
    PlatformConfigModule.forRoot(ReportingAppConfig, { overrides: env }),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    ReportingModule,
  ],
})
class BenchModule {}

const startedAt = performance.now();
const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
await app.init();
const db = app.get<DataSource>(getServiceDataSourceToken('reporting'));
const expectedFacts = backlog.filter((e) => e.type !== AgentPresenceChangedV1.type).length;
let drainedAt: number;
for (;;) {
  const [row] = await db.query<{ n: string }[]>('SELECT count(*) AS n FROM reporting.facts');
  if (Number(row!.n) >= expectedFacts) {
    drainedAt = performance.now();
    break;
  }
  await new Promise((r) => setTimeout(r, 100));
}
const [{ conversations } = { conversations: 0 }] = await db.query<{ conversations: number }[]>(
  'SELECT sum(conversations)::float8 AS conversations FROM reporting.hourly',
);
const drainSeconds = (drainedAt - startedAt) / 1000;
process.stdout.write(
  `consumer: ${fmt(backlog.length, 0)} events (${fmt(conversations, 0)} conversations) drained in ${fmt(drainSeconds, 2)} s ` +
    `from the app's start (join included): ${fmt(backlog.length / drainSeconds, 0)} events/s (target 5,000; ` +
    `the bus alone: ${fmt(backlog.length / baselineSeconds, 0)} events/s); load average ${loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')}\n\n`,
);

// 1. A month of 1,000,000 conversations, straight into the tables.
const workspaceId = randomUUID();
const generateStarted = performance.now();
await db.query(`
  CREATE TEMP TABLE bench_conversations AS
  SELECT gen_random_uuid() AS conversation_id,
         timestamp '2026-03-01' + (random() * 31 * 86400) * interval '1 second' AS created_local,
         'queue-' || (i % 5) AS queue_id,
         (ARRAY['web', 'sms', 'whatsapp'])[1 + i % 3] AS channel,
         random() AS r1, random() AS r2, random() AS r3
    FROM generate_series(1, ${CONVERSATIONS}) AS i`);
await db.query(
  `INSERT INTO reporting.conversations (workspace_id, conversation_id, summary, contribution)
   SELECT $1, conversation_id,
          jsonb_build_object('createdAt', extract(epoch FROM created_local) * 1000, 'queueId', queue_id, 'channel', channel),
          jsonb_build_object('bucket', date_trunc('hour', created_local), 'queueId', queue_id, 'channel', channel)
     FROM bench_conversations`,
  [workspaceId],
);
await db.query(
  `INSERT INTO reporting.hourly (workspace_id, bucket, queue_id, channel, in_hours, conversations, assigned_n, assign_sum,
     assign_bh_sum, responded_n, response_sum, response_bh_sum, resolved_n, resolution_sum, resolution_bh_sum, replies,
     offered, answered, abandoned, asa_sum, asa_bh_sum, sl_15, sl_30, sl_60, sl_120, sl_300, csat_n, csat_sum, csat_satisfied)
   SELECT $1, date_trunc('hour', created_local), queue_id, channel,
          extract(isodow FROM created_local) < 6 AND extract(hour FROM created_local) BETWEEN 9 AND 16,
          count(*), count(*), sum(r1 * 120), sum(r1 * 100), count(*) FILTER (WHERE r2 > 0.05), sum(r2 * 300) FILTER (WHERE r2 > 0.05),
          sum(r2 * 250) FILTER (WHERE r2 > 0.05), count(*), sum(r3 * 3600), sum(r3 * 3000), count(*) * 3,
          count(*), count(*) FILTER (WHERE r2 > 0.05), count(*) FILTER (WHERE r2 <= 0.05),
          sum(r2 * 300) FILTER (WHERE r2 > 0.05), sum(r2 * 250) FILTER (WHERE r2 > 0.05),
          count(*) FILTER (WHERE r2 > 0.05 AND r2 * 300 <= 15), count(*) FILTER (WHERE r2 > 0.05 AND r2 * 300 <= 30),
          count(*) FILTER (WHERE r2 > 0.05 AND r2 * 300 <= 60), count(*) FILTER (WHERE r2 > 0.05 AND r2 * 300 <= 120),
          count(*) FILTER (WHERE r2 > 0.05 AND r2 * 300 <= 300), count(*) FILTER (WHERE r3 < 0.3),
          sum(1 + floor(r1 * 5)) FILTER (WHERE r3 < 0.3), count(*) FILTER (WHERE r3 < 0.3 AND r1 >= 0.6)
     FROM bench_conversations GROUP BY 2, 3, 4, 5`,
  [workspaceId],
);
// The plain baseline: the same conversations with an index on their creation time.
await db.query(
  `CREATE TABLE public.bench_created AS SELECT $1::uuid AS workspace_id, created_local FROM bench_conversations`,
  [workspaceId],
);
await db.query(`CREATE INDEX bench_created_at ON public.bench_created (workspace_id, created_local)`);
await db.query('ANALYZE reporting.hourly; ANALYZE reporting.conversations; ANALYZE public.bench_created');
const [{ buckets } = { buckets: 0 }] = await db.query<{ buckets: number }[]>(
  'SELECT count(*)::int AS buckets FROM reporting.hourly WHERE workspace_id = $1',
  [workspaceId],
);
process.stdout.write(
  `generated ${fmt(CONVERSATIONS, 0)} conversations in March 2026 (${fmt(buckets, 0)} hourly buckets) in ` +
    `${fmt((performance.now() - generateStarted) / 1000, 1)} s\n`,
);

const reports = app.get<ReportingApi>(REPORTING_API);
const month: ReportQuery = {
  metrics: [
    'conversations',
    'time_to_first_assignment',
    'first_response_time',
    'resolution_time',
    'replies_per_conversation',
    'csat_average',
    'offered',
    'abandoned',
    'service_level_percent',
    'average_speed_of_answer',
    'abandonment_percent',
  ],
  dimension: 'day',
  from: '2026-03-01',
  to: '2026-04-01',
};

async function timed(fn: () => Promise<unknown>, runs = 200): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

const check = await reports.getReport(workspaceId, month);
const total = check.rows.reduce((n, r) => n + (r.values.conversations ?? 0), 0);
if (check.rows.length !== 31 || total !== CONVERSATIONS)
  throw new Error(`unexpected report: ${check.rows.length} days, ${total}`);
const calendar = await timed(() => reports.getReport(workspaceId, month));
const business = await timed(() => reports.getReport(workspaceId, { ...month, time: 'business' }));
const plain = await timed(() =>
  db.query(
    `SELECT date_trunc('day', created_local) AS day, count(*) FROM public.bench_created
      WHERE workspace_id = $1 AND created_local >= '2026-03-01' AND created_local < '2026-04-01' GROUP BY 1 ORDER BY 1`,
    [workspaceId],
  ),
);
const row = (label: string, t: number[]) => [
  label,
  `${fmt(percentile(t, 50))} ms`,
  `${fmt(percentile(t, 99))} ms`,
];
process.stdout.write(
  `a month by day over ${fmt(CONVERSATIONS, 0)} conversations, 200 runs each (load average ${loadavg()
    .map((l) => fmt(l, 2))
    .join(' ')}):\n\n` +
    formatTable([
      ['query', 'p50', 'p99'],
      row('report, 11 metrics, calendar', calendar),
      row('report, 11 metrics, business hours', business),
      row('plain indexed count by day', plain),
    ]) +
    '\n\ntarget: p99 ≤ 200 ms\n',
);

await app.close();
await database.drop();
await broker.stop();
