import 'reflect-metadata';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import {
  BotHoldChangedV1,
  ConversationAssignedV1,
  CsatSubmittedV1,
  HISTORY_API,
  REPORTING_API,
  type EventEnvelope,
  type HistoryApi,
  type HistoryRecordView,
  type ReportMetric,
  type ReportQuery,
  type ReportRow,
  type ReportingApi,
} from '@switchboard/contracts';
// History in process, as the standalone composition runs it: the rebuild reads its real records.
// eslint-disable-next-line no-restricted-imports
import { HistoryModule } from '@switchboard/app-history';
import { KafkaEventBus, MessagingModule } from '@switchboard/messaging';
import {
  HealthModule,
  LoggingModule,
  PlatformConfigModule,
  getServiceDataSourceToken,
} from '@switchboard/platform';
import { createTestDatabase, inboundMessageEvent, waitFor, type TestDatabase } from '@switchboard/testing';
import type { DataSource } from 'typeorm';
import { ConversationLabelsRepository } from '../src/projection/conversation-labels.repository.js';
import { latestPerConversation, type LabelChange } from '../src/projection/label-change.js';
import { ProjectionRepository } from '../src/projection/projection.repository.js';
import { ProjectionService } from '../src/projection/projection.service.js';
import { ReportingConsumer } from '../src/projection/reporting.consumer.js';
import { RebuildModule } from '../src/rebuild/rebuild.module.js';
import { RebuildRepository } from '../src/rebuild/rebuild.repository.js';
import { RebuildService } from '../src/rebuild/rebuild.service.js';
import { isErasure, isLabelChange, replayedFact } from '../src/rebuild/replayed-fact.js';
import { holdWorkspacesShared } from '../src/rebuild/workspace-lock.js';
import { ReportingAppConfig } from '../src/reporting-app.config.js';
import { ReportingModule } from '../src/reporting.module.js';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';

/** HISTORY_API for every module, as the standalone composition provides it. */
@Global()
@Module({ imports: [HistoryModule], exports: [HistoryModule] })
class HistoryPortModule {}

/**
 * The rebuild (ADR 0106) end to end: history and reporting in one process on a real broker and a
 * real database, as the standalone composition runs them. Conversations come in by SMS, routing
 * assigns them, agents reply, resolve and reopen, label and relabel them, a bot holds one, a
 * customer rates one; the live consumer builds the figures and the labels (ADR 0118). A rebuild from history's records alone must build the same figures,
 * leave another workspace untouched, lose nothing the consumer reads while it runs and change
 * nothing when run again.
 */
describe('rebuilding reports from history’s records, on Kafka and PostgreSQL', () => {
  const workspace = randomUUID();
  const other = randomUUID();
  const prefix = `reporting-rebuild-${randomUUID().slice(0, 8)}`;
  let database: TestDatabase;
  let app: INestApplicationContext;
  let history: HistoryApi;
  let reports: ReportingApi;
  let db: DataSource;
  let bus: KafkaEventBus;
  let rebuilds: RebuildService;
  let phone = 14155550300;

  /** Advisory locks of this database waiting in `mode` (a swap's exclusive, a batch's shared). */
  const advisoryLocksWaiting = async (mode: 'ExclusiveLock' | 'ShareLock'): Promise<number> =>
    (
      await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND mode = $1 AND NOT granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [mode],
      )
    )[0]!.n;

  beforeAll(async () => {
    database = await createTestDatabase('reporting_rebuild');
    @Module({
      imports: [
        PlatformConfigModule.forRoot(ReportingAppConfig, {
          overrides: {
            LOG_LEVEL: 'warn',
            DATABASE_URL: database.url,
            KAFKA_BROKERS: BROKERS,
            KAFKA_TOPIC_PREFIX: prefix,
            KAFKA_PARTITIONS: '2',
            ...(process.env.KAFKA_CLIENT === undefined ? {} : { KAFKA_CLIENT: process.env.KAFKA_CLIENT }),
          },
        }),
        LoggingModule,
        HealthModule,
        MessagingModule.forRoot(),
        HistoryPortModule,
        ReportingModule,
        RebuildModule,
      ],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    await app.get(ReportingConsumer).assigned;
    history = app.get<HistoryApi>(HISTORY_API);
    reports = app.get<ReportingApi>(REPORTING_API);
    db = app.get<DataSource>(getServiceDataSourceToken('reporting'));
    rebuilds = app.get(RebuildService);
    bus = new KafkaEventBus({
      brokers: BROKERS.split(','),
      clientId: 'reporting-rebuild-test',
      topicPrefix: prefix,
      partitions: 2,
      replicationFactor: 1,
    });
  });

  afterAll(async () => {
    await bus?.close();
    await app?.close();
    await database?.drop();
  });

  async function emit(events: readonly EventEnvelope[]): Promise<void> {
    // A topic the broker created a moment ago may not have a leader yet: try again shortly.
    for (let attempt = 1; ; attempt++) {
      try {
        return await bus.emit(events);
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** A customer writes by SMS: the conversation history opens for it. */
  async function incoming(workspaceId: string): Promise<{ conversationId: string; address: string }> {
    const address = `+${phone++}`;
    await emit([
      inboundMessageEvent({
        workspaceId,
        text: 'Hello?',
        sender: { kind: 'phone', address, verified: true },
      }),
    ]);
    const customer = await waitFor(
      async () =>
        (await history.findCustomers(workspaceId, { identity: { kind: 'phone', value: address } })).items[0],
      { what: `the customer writing from ${address}` },
    );
    const conversation = await waitFor(
      async () => (await history.listConversations(workspaceId, { customerId: customer.id })).items[0],
      { what: 'the conversation' },
    );
    return { conversationId: conversation.id, address };
  }

  async function assign(workspaceId: string, conversationId: string, agentId: string): Promise<void> {
    await emit([
      ConversationAssignedV1.create({
        workspaceId,
        payload: {
          conversationId,
          queueId: 'support',
          agentId,
          mode: 'assign',
          assignedAt: new Date().toISOString(),
          explanation: { step: null, reason: 'test', candidates: [] },
        },
      }),
    ]);
    // History records routing's decision from its own consumer: a replay reads it from there.
    await waitFor(
      async () =>
        (await history.listAssignments(workspaceId, conversationId)).some((a) => a.agentId === agentId),
      { what: `history's record of ${agentId}'s assignment` },
    );
  }

  async function reply(workspaceId: string, conversationId: string, agentId: string): Promise<void> {
    await history.sendMessage(workspaceId, {
      idempotencyKey: randomUUID(),
      conversationId,
      text: 'On it',
      sender: { type: 'agent', id: agentId },
    });
  }

  async function setStatus(
    workspaceId: string,
    conversationId: string,
    status: 'open' | 'resolved',
  ): Promise<void> {
    await history.setConversationStatus(workspaceId, conversationId, status, {
      type: 'agent',
      id: 'agent-a',
    });
  }

  /** Every record history holds of the workspace. */
  async function replay(workspaceId: string): Promise<HistoryRecordView[]> {
    const all: HistoryRecordView[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const page = await history.replayRecords(workspaceId, { pageSize: 7, pageToken });
      all.push(...page.items);
      if (page.nextPageToken === null) return all;
      pageToken = page.nextPageToken;
    }
  }

  /**
   * Waits until the live consumer holds a fact for every record history holds (under the same key:
   * the wait would never end if a replayed fact were keyed otherwise), the ratings history took, and
   * each conversation's latest label change history holds (ADR 0118).
   */
  async function liveCaughtUp(workspaceId: string): Promise<void> {
    await waitFor(
      async () => {
        const records = await replay(workspaceId);
        const keys: string[] = [];
        const labelChanges: LabelChange[] = [];
        let ratings = 0;
        for (const record of records) {
          const fact = replayedFact(workspaceId, record);
          if (fact === null || isErasure(fact)) continue;
          if (isLabelChange(fact)) labelChanges.push(fact);
          else if (fact.data.kind === 'csat') ratings++;
          else keys.push(fact.eventId);
        }
        const latestLabels = latestPerConversation(labelChanges).map((c) => c.eventId);
        const [row] = await db.query<{ keyed: number; ratings: number; labelled: number }[]>(
          `SELECT count(*) FILTER (WHERE event_id = ANY($2::uuid[]))::int AS keyed,
                  count(*) FILTER (WHERE kind = 'csat')::int AS ratings,
                  (SELECT count(*) FROM reporting.conversation_labels
                    WHERE workspace_id = $1 AND event_id = ANY($3::uuid[]))::int AS labelled
             FROM reporting.facts WHERE workspace_id = $1`,
          [workspaceId, keys, latestLabels],
        );
        return row!.keyed === keys.length && row!.ratings >= ratings && row!.labelled === latestLabels.length;
      },
      { what: `the live figures of ${workspaceId}`, timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  /** A workspace's figures: summaries with their contributions, assignment spans, buckets, labels. */
  async function figures(workspaceId: string): Promise<unknown> {
    const conversations: unknown = await db.query(
      `SELECT conversation_id, summary, contribution FROM reporting.conversations
        WHERE workspace_id = $1 ORDER BY conversation_id`,
      [workspaceId],
    );
    const spans: unknown = await db.query(
      `SELECT conversation_id, agent_id, started_at, ended_at FROM reporting.assignments
        WHERE workspace_id = $1 ORDER BY conversation_id, started_at, agent_id`,
      [workspaceId],
    );
    const hourly: unknown = await db.query(
      `SELECT * FROM reporting.hourly WHERE workspace_id = $1 ORDER BY bucket, queue_id, channel, in_hours`,
      [workspaceId],
    );
    const labels: unknown = await db.query(
      `SELECT conversation_id, label_ids, changed_at, event_id FROM reporting.conversation_labels
        WHERE workspace_id = $1 ORDER BY conversation_id`,
      [workspaceId],
    );
    return { conversations, spans, hourly, labels };
  }

  /** What a store that lost the workspace (or whose events left the log) starts from. */
  async function forget(workspaceId: string): Promise<void> {
    for (const table of ['facts', 'conversations', 'assignments', 'hourly', 'conversation_labels'])
      await db.query(`DELETE FROM reporting.${table} WHERE workspace_id = $1`, [workspaceId]);
  }

  async function totals(workspaceId: string): Promise<Record<string, number>> {
    const [row] = await db.query<Record<string, number>[]>(
      `SELECT sum(conversations)::int AS conversations, sum(replies)::int AS replies,
              sum(reopens)::int AS reopens, sum(resolved_n)::int AS resolved,
              sum(bot_held)::int AS bot_held, sum(bot_handed_off)::int AS bot_handed_off,
              sum(assigned_n)::int AS assigned, sum(csat_n)::int AS rated
         FROM reporting.hourly WHERE workspace_id = $1`,
      [workspaceId],
    );
    return row!;
  }

  /** Conversation figures by day of the conversations that carry `labelId` now (ADR 0123). */
  async function byLabel(workspaceId: string, labelId: string): Promise<ReportQuery & { rows: ReportRow[] }> {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const query: ReportQuery = {
      metrics: [
        'conversations',
        'time_to_first_assignment',
        'first_response_time',
        'resolution_time',
        'resolved',
        'replies',
        'reopens',
        'bot_held',
        'bot_handed_off',
        'csat_responses',
        'offered',
        'answered',
      ],
      dimension: 'day',
      from: day(-1),
      to: day(2),
      labelId,
    };
    return { ...query, rows: (await reports.getReport(workspaceId, query)).rows };
  }

  /** A metric summed over a report's days (a run across midnight has two). */
  const summed = (report: { rows: ReportRow[] }, metric: ReportMetric): number =>
    report.rows.reduce((n, row) => n + (row.values[metric] ?? 0), 0);

  const agentA = { type: 'agent' as const, id: 'agent-a' };
  let billing: string;
  let vip: string;
  let first: { conversationId: string; address: string };
  let second: { conversationId: string; address: string };
  let third: { conversationId: string; address: string };

  it('builds the same figures from history’s records as the live consumer did, and leaves another workspace alone', async () => {
    first = await incoming(workspace);
    second = await incoming(workspace);
    third = await incoming(workspace);
    await assign(workspace, first.conversationId, 'agent-a');
    await assign(workspace, second.conversationId, 'agent-b');
    await reply(workspace, first.conversationId, 'agent-a');
    await reply(workspace, second.conversationId, 'agent-b');
    await reply(workspace, second.conversationId, 'agent-b');
    // Resolved, reopened by the agent, resolved again.
    await setStatus(workspace, first.conversationId, 'resolved');
    await setStatus(workspace, first.conversationId, 'open');
    await setStatus(workspace, first.conversationId, 'resolved');
    await setStatus(workspace, second.conversationId, 'resolved');
    await emit([
      CsatSubmittedV1.create({
        workspaceId: workspace,
        payload: {
          conversationId: second.conversationId,
          channel: 'sms',
          channelAccountId: 'sms-account-1',
          sender: { kind: 'phone', address: second.address },
          rating: 5,
          submittedAt: new Date().toISOString(),
        },
      }),
    ]);
    await waitFor(async () => (await history.getConversation(workspace, second.conversationId)).csat, {
      what: 'history’s record of the rating',
    });
    // The bot held the third one, then handed it to the agents.
    for (const held of [true, false]) {
      const event = BotHoldChangedV1.create({
        workspaceId: workspace,
        payload: {
          conversationId: third.conversationId,
          customerId: (await history.getConversation(workspace, third.conversationId)).customerId,
          channel: 'sms',
          held,
          reason: held ? null : 'asked_for_person',
          agentId: null,
          changedAt: new Date(Date.now() + (held ? 0 : 1)).toISOString(),
        },
      });
      await emit([event]);
    }
    await waitFor(
      async () =>
        (await replay(workspace)).filter(
          (r) => r.kind === 'bot_hold' && r.conversationId === third.conversationId,
        ).length === 2,
      { what: 'history’s record of the bot’s holds' },
    );
    // Labels put on, replaced and taken off (ADR 0118): history keeps each change for a replay.
    billing = (await history.createLabel(workspace, { name: 'Billing', colour: '#aa3355' })).id;
    vip = (await history.createLabel(workspace, { name: 'VIP', colour: '#3355aa' })).id;
    const label = (conversationId: string, labelIds: string[]) =>
      history.setLabels(workspace, { conversationId }, labelIds, agentA);
    await label(first.conversationId, [billing]);
    await label(second.conversationId, [billing, vip]);
    await label(second.conversationId, [vip]);
    await label(third.conversationId, [billing]);
    await label(third.conversationId, []);
    const elsewhere = await incoming(other);
    await reply(other, elsewhere.conversationId, 'agent-z');
    await setStatus(other, elsewhere.conversationId, 'resolved');
    const otherLabel = await history.createLabel(other, { name: 'Billing', colour: '#aa3355' });
    await history.setLabels(other, { conversationId: elsewhere.conversationId }, [otherLabel.id], agentA);

    await liveCaughtUp(workspace);
    await liveCaughtUp(other);
    const live = await figures(workspace);
    const otherLive = await figures(other);
    expect(await totals(workspace)).toEqual({
      conversations: 3,
      replies: 3,
      reopens: 1,
      resolved: 2,
      bot_held: 1,
      bot_handed_off: 1,
      assigned: 2,
      rated: 1,
    });
    // Filtered by label: Billing is the first conversation's now (the third's was taken off, the
    // second's replaced), VIP the second's.
    const liveBilling = await byLabel(workspace, billing);
    const liveVip = await byLabel(workspace, vip);
    expect([summed(liveBilling, 'conversations'), summed(liveBilling, 'replies')]).toEqual([1, 1]);
    expect(summed(liveBilling, 'reopens')).toBe(1);
    expect([summed(liveVip, 'conversations'), summed(liveVip, 'replies')]).toEqual([1, 2]);
    expect(summed(liveVip, 'csat_responses')).toBe(1);

    // Over the live store: the replayed facts are the ones it has, the figures are the same.
    const over = await rebuilds.rebuild(workspace);
    expect(over).toMatchObject({ workspaceId: workspace, conversations: 3, labelledConversations: 3 });
    // The rating is the one fact keyed otherwise (history keeps the latest per conversation).
    expect(over.factsAdded).toBe(1);
    expect(await figures(workspace)).toEqual(live);
    expect(await byLabel(workspace, billing)).toEqual(liveBilling);
    expect(await byLabel(workspace, vip)).toEqual(liveVip);

    // From history alone, as when the log no longer holds the events.
    await forget(workspace);
    expect(await totals(workspace)).toMatchObject({ conversations: null });
    expect(summed(await byLabel(workspace, billing), 'conversations')).toBe(0);
    const fresh = await rebuilds.rebuild(workspace);
    expect(fresh.factsAdded).toBeGreaterThan(over.factsAdded);
    expect(await figures(workspace)).toEqual(live);
    expect(await byLabel(workspace, billing)).toEqual(liveBilling);
    expect(await byLabel(workspace, vip)).toEqual(liveVip);
    expect(await figures(other)).toEqual(otherLive);

    // Twice: the same.
    await rebuilds.rebuild(workspace);
    expect(await figures(workspace)).toEqual(live);
    const staged = await db.query<{ n: number }[]>(
      `SELECT (SELECT count(*) FROM reporting.rebuild_facts)::int + (SELECT count(*) FROM reporting.rebuild_erasures)::int
              + (SELECT count(*) FROM reporting.rebuild_labels)::int AS n`,
    );
    expect(staged[0]!.n).toBe(0);
  });

  it('loses nothing and counts nothing twice that the consumer reads while a rebuild runs', async () => {
    // During the stage: once history's first page is read, more happens and the consumer reads it.
    const during = await incoming(workspace);
    let staging = true;
    const slowHistory: HistoryApi = Object.create(history) as HistoryApi;
    slowHistory.replayRecords = async (workspaceId, query) => {
      const page = await history.replayRecords(workspaceId, { ...query, pageSize: 5 });
      if (staging) {
        staging = false;
        await reply(workspace, during.conversationId, 'agent-a');
        // A reply to a resolved conversation reopens it: the status change written with the reply.
        await reply(workspace, first.conversationId, 'agent-a');
        await history.setLabels(workspace, { conversationId: during.conversationId }, [billing], agentA);
        await liveCaughtUp(workspace);
      }
      return page;
    };
    const rebuilding = new RebuildService(
      slowHistory,
      app.get(RebuildRepository),
      app.get(ProjectionRepository),
      app.get(ProjectionService),
      app.get(ConversationLabelsRepository),
    );

    // During the swap: a long batch of the consumer holds the workspace; the swap waits for it,
    // and what arrives meanwhile waits for the swap.
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holdWorkspacesShared(holder.manager, [workspace]);
    const run = rebuilding.rebuild(workspace);
    await waitFor(async () => (await advisoryLocksWaiting('ExclusiveLock')) > 0, {
      what: 'the swap waiting for the workspace',
      timeoutMs: 60_000,
    });
    await reply(workspace, during.conversationId, 'agent-a');
    await setStatus(workspace, during.conversationId, 'resolved');
    await setStatus(workspace, first.conversationId, 'resolved');
    await history.setLabels(workspace, { conversationId: first.conversationId }, [vip], agentA);
    // The consumer's batch of these waits behind the swap (its shared lock queued after it).
    await waitFor(async () => (await advisoryLocksWaiting('ShareLock')) > 0, {
      what: 'the consumer waiting for the swap',
      timeoutMs: 60_000,
    });
    await holder.commitTransaction();
    await holder.release();
    await run;
    await liveCaughtUp(workspace);

    // Everything counted once: four conversations, six agent replies, two reopens.
    const after = await figures(workspace);
    expect(await totals(workspace)).toMatchObject({
      conversations: 4,
      replies: 6,
      reopens: 2,
      resolved: 3,
    });
    // Billing: the conversation labelled during the stage; VIP: the second, and the first,
    // relabelled during the swap.
    const afterBilling = await byLabel(workspace, billing);
    const afterVip = await byLabel(workspace, vip);
    expect([summed(afterBilling, 'conversations'), summed(afterBilling, 'replies')]).toEqual([1, 2]);
    expect([summed(afterVip, 'conversations'), summed(afterVip, 'replies')]).toEqual([2, 4]);
    // And what history alone rebuilds is the same.
    await forget(workspace);
    await rebuilds.rebuild(workspace);
    expect(await figures(workspace)).toEqual(after);
    expect(await byLabel(workspace, billing)).toEqual(afterBilling);
    expect(await byLabel(workspace, vip)).toEqual(afterVip);
  });
});
