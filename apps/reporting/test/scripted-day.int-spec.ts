import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import {
  AgentPresenceChangedV1,
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationLabelsChangedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationUnassignedV1,
  CsatSubmittedV1,
  CustomerErasedV1,
  CONVERSATION_METRICS,
  QUEUE_METRICS,
  REPORTING_API,
  type Channel,
  type ConversationStatus,
  type EventEnvelope,
  type MessageSender,
  type ReportingApi,
  type ReportQuery,
} from '@switchboard/contracts';
import { KafkaEventBus, MessagingModule } from '@switchboard/messaging';
import {
  HealthModule,
  LoggingModule,
  PlatformConfigModule,
  getServiceDataSourceToken,
} from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { createTestDatabase, waitFor, type TestDatabase } from '@switchboard/testing';
import { ReportingConsumer } from '../src/projection/reporting.consumer.js';
import { ReportingAppConfig } from '../src/reporting-app.config.js';
import { ReportingModule } from '../src/reporting.module.js';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';

/** Monday 2 March 2026 in Paris (UTC+1 until the end of March): local `HH:MM[:SS]` as an ISO instant. */
function paris(hhmm: string): string {
  const [h = 0, m = 0, s = 0] = hhmm.split(':').map(Number);
  return new Date(Date.UTC(2026, 2, 2, h - 1, m, s)).toISOString();
}

/**
 * A scripted day: six conversations and two agents, every event with a known time, published on
 * the real Kafka broker as history, routing, the channels and the inbox publish them (out of order
 * across topics, some twice), read by the reporting consumer into PostgreSQL. The figures are
 * worked out by hand in the comments.
 */
describe('reports of a scripted day, on Kafka and PostgreSQL', () => {
  const workspaceId = randomUUID();
  const otherWorkspace = randomUUID();
  const prefix = `reporting-${randomUUID().slice(0, 8)}`;
  let database: TestDatabase;
  let app: INestApplicationContext;
  let reports: ReportingApi;
  let bus: KafkaEventBus;

  beforeAll(async () => {
    database = await createTestDatabase('reporting_day');
    @Module({
      imports: [
        PlatformConfigModule.forRoot(ReportingAppConfig, {
          overrides: {
            LOG_LEVEL: 'warn',
            DATABASE_URL: database.url,
            KAFKA_BROKERS: BROKERS,
            KAFKA_TOPIC_PREFIX: prefix,
            KAFKA_PARTITIONS: '3',
          },
        }),
        LoggingModule,
        HealthModule,
        MessagingModule.forRoot(),
        ReportingModule,
      ],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    await app.init();
    await app.get(ReportingConsumer).assigned;
    reports = app.get<ReportingApi>(REPORTING_API);
    bus = new KafkaEventBus({
      brokers: BROKERS.split(','),
      clientId: 'reporting-test',
      topicPrefix: prefix,
      partitions: 3,
      replicationFactor: 1,
    });
  });

  afterAll(async () => {
    await bus?.close();
    await app?.close();
    await database?.drop();
  });

  const agentA = 'agent-a';
  const agentB = 'agent-b';
  const events: EventEnvelope[] = [];

  function conversation(channel: Channel, workspace = workspaceId) {
    const conversationId = randomUUID();
    const customerId = randomUUID();
    let sequence = 0;
    const c = {
      conversationId,
      message(at: string, sender: MessageSender, opened = false, note = false) {
        events.push(
          ConversationMessageAppendedV1.create({
            workspaceId: workspace,
            payload: {
              conversationId,
              customerId,
              messageId: randomUUID(),
              sequence: ++sequence,
              direction: note ? 'note' : sender.type === 'customer' ? 'in' : 'out',
              channel,
              channelAccountId: null,
              text: 'hello',
              attachments: [],
              sender,
              createdAt: paris(at),
              openedConversation: opened,
            },
          }),
        );
        return c;
      },
      opened: (at: string) => c.message(at, { type: 'customer' }, true),
      /** The events of this conversation queued so far. */
      events: () =>
        events.filter((e) => (e.payload as { conversationId?: string }).conversationId === conversationId),
      agentReply: (at: string, agentId: string) => c.message(at, { type: 'agent', id: agentId }),
      botReply: (at: string) => c.message(at, { type: 'bot', id: 'article:1' }),
      assigned(at: string, agentId: string) {
        events.push(
          ConversationAssignedV1.create({
            workspaceId: workspace,
            payload: {
              conversationId,
              queueId: 'sales',
              agentId,
              mode: 'assign',
              assignedAt: paris(at),
              explanation: { step: null, reason: 'scripted', candidates: [] },
            },
          }),
        );
        return c;
      },
      status(
        at: string,
        status: ConversationStatus,
        previousStatus: ConversationStatus,
        by: MessageSender['type'],
      ) {
        events.push(
          ConversationStatusChangedV1.create({
            workspaceId: workspace,
            payload: {
              conversationId,
              customerId,
              status,
              previousStatus,
              changedBy: { type: by },
              changedAt: paris(at),
            },
          }),
        );
        return c;
      },
      unassigned(at: string, agentId: string) {
        events.push(
          ConversationUnassignedV1.create({
            workspaceId: workspace,
            payload: {
              conversationId,
              agentId,
              queueId: 'sales',
              reason: 'agent_away',
              unassignedAt: paris(at),
            },
          }),
        );
        return c;
      },
      bot(at: string, held: boolean) {
        events.push(
          BotHoldChangedV1.create({
            workspaceId: workspace,
            payload: {
              conversationId,
              customerId,
              channel,
              held,
              reason: held ? null : 'asked_for_person',
              agentId: null,
              changedAt: paris(at),
            },
          }),
        );
        return c;
      },
      /** The whole set of labels now on it (history, ADR 0117). */
      labels(at: string, labelIds: string[]) {
        events.push(
          ConversationLabelsChangedV1.create({
            workspaceId: workspace,
            payload: {
              conversationId,
              customerId,
              labelIds,
              changedBy: { type: 'agent', id: agentA },
              changedAt: paris(at),
            },
          }),
        );
        return c;
      },
      csat(at: string, rating: number) {
        events.push(
          CsatSubmittedV1.create({
            workspaceId: workspace,
            payload: {
              conversationId,
              channel,
              channelAccountId: 'widget',
              sender: { kind: 'web_visitor', address: customerId },
              rating,
              submittedAt: paris(at),
            },
          }),
        );
        return c;
      },
    };
    return c;
  }

  function presence(at: string, agentId: string, state: 'online' | 'offline') {
    events.push(
      AgentPresenceChangedV1.create({
        workspaceId,
        payload: { agentId, presence: state, reason: 'agent', changedAt: paris(at) },
      }),
    );
  }

  it('gives exact figures in calendar time and in business hours, by day, queue and agent', async () => {
    // Paris, Monday to Friday 09:00–17:00.
    await reports.setWorkspaceClock(workspaceId, {
      timeZone: 'Europe/Paris',
      businessHours: Object.fromEntries(
        (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ from: '09:00', to: '17:00' }]]),
      ),
    });
    presence('08:00', agentA, 'online');
    presence('12:00', agentA, 'offline');
    presence('09:00', agentB, 'online');
    presence('18:00', agentB, 'offline');
    // C1, web, before hours, resolved then reopened. Assignment 60 s (0 in hours), first response
    // 600 s (0), resolution 08:30→10:30 7,200 s (5,400 from 09:00), 2 replies, 1 reopen, CSAT 5.
    const c1 = conversation('web')
      .opened('08:30')
      .assigned('08:31', agentA)
      .agentReply('08:40', agentA)
      .status('09:30', 'resolved', 'open', 'agent')
      .status('10:00', 'open', 'resolved', 'customer')
      .assigned('10:00:30', agentA)
      .agentReply('10:05', agentA)
      .status('10:30', 'resolved', 'open', 'agent')
      .csat('10:31', 5);
    // A customer's message and an internal note change nothing.
    c1.message('10:02', { type: 'customer' }).message('10:03', { type: 'agent', id: agentA }, false, true);
    // C2, SMS, the bot hands off at 09:15, A has it for 20 s and goes away, B takes it: assignment
    // 330 s, first response 600 s (the bot's reply excluded), answer 300 s after the hand-off,
    // resolution 2,400 s.
    conversation('sms')
      .opened('09:10')
      .bot('09:10', true)
      .botReply('09:11')
      .bot('09:15', false)
      .assigned('09:15:30', agentA)
      .unassigned('09:15:50', agentA)
      .assigned('09:16', agentB)
      .agentReply('09:20', agentB)
      .status('09:50', 'resolved', 'open', 'agent');
    // C3, resolved by the bot in 300 s: never offered to agents.
    conversation('web')
      .opened('11:00')
      .bot('11:00', true)
      .botReply('11:01')
      .status('11:05', 'resolved', 'open', 'bot');
    // C4, abandoned: the customer left at 14:02 before B replied. Assignment 30 s, resolution 120 s.
    conversation('web')
      .opened('14:00')
      .assigned('14:00:30', agentB)
      .status('14:02', 'resolved', 'open', 'customer');
    // C6, B holds it with C4 for a minute: assignment 10 s, first response 30 s, resolution 1,140 s.
    conversation('web')
      .opened('14:01')
      .assigned('14:01:10', agentB)
      .agentReply('14:01:30', agentB)
      .status('14:20', 'resolved', 'open', 'agent');
    // C5, just before closing: assignment 20 s, first response 40 s (within 60 s), resolution
    // 16:50→17:30 2,400 s (600 in hours), CSAT 2.
    conversation('web')
      .opened('16:50')
      .assigned('16:50:20', agentB)
      .agentReply('16:50:40', agentB)
      .status('17:30', 'resolved', 'open', 'agent')
      .csat('17:31', 1)
      .csat('17:32', 2);
    // Another workspace's conversation the same day.
    conversation('web', otherWorkspace).opened('10:00').assigned('10:01', agentA).agentReply('10:02', agentA);

    // Routing's and the ratings' topics first, conversations last, and a third of them twice.
    const isMessage = (e: EventEnvelope) => e.type === ConversationMessageAppendedV1.type;
    await bus.emit([...events.filter((e) => !isMessage(e)), ...events.filter(isMessage)]);
    await bus.emit(events.filter((_, i) => i % 3 === 0));

    const day: ReportQuery = {
      metrics: [...CONVERSATION_METRICS, ...QUEUE_METRICS],
      dimension: 'day',
      from: '2026-03-01',
      to: '2026-04-01',
    };
    const calendar = await waitFor(
      async () => {
        const view = await reports.getReport(workspaceId, day);
        const v = view.rows[0]?.values;
        // Every topic read to its end: conversations, ratings, and routing's and the bot's.
        return v?.conversations === 6 &&
          v.csat_responses === 2 &&
          v.reopens === 1 &&
          v.resolved === 6 &&
          v.bot_held === 2 &&
          v.bot_handed_off === 1 &&
          v.time_to_first_assignment !== null
          ? view
          : null;
      },
      { what: 'the scripted day reported', timeoutMs: 30_000 },
    );
    expect(calendar.timeZone).toBe('Europe/Paris');
    expect(calendar.rows).toEqual([
      {
        key: '2026-03-02',
        values: {
          conversations: 6,
          time_to_first_assignment: 450 / 5,
          first_response_time: 1270 / 4,
          resolution_time: 13560 / 6,
          resolved: 6,
          replies: 5,
          replies_per_conversation: 5 / 6,
          reopens: 1,
          bot_held: 2,
          bot_resolved: 1,
          bot_handed_off: 1,
          csat_responses: 2,
          csat_average: 3.5,
          csat_satisfied_percent: 50,
          offered: 5,
          answered: 4,
          answered_within_target: 2,
          abandoned: 1,
          abandonment_percent: 20,
          service_level_percent: 40,
          average_speed_of_answer: 970 / 4,
        },
      },
    ]);

    // Business hours: durations count 09:00–17:00 only, and C1 (created at 08:30) is left out.
    const business = await reports.getReport(workspaceId, { ...day, time: 'business' });
    expect(business.rows[0]!.values).toMatchObject({
      conversations: 5,
      time_to_first_assignment: 390 / 4,
      first_response_time: 670 / 3,
      resolution_time: 4560 / 5,
      offered: 4,
      answered: 3,
      abandoned: 1,
      average_speed_of_answer: 370 / 3,
      service_level_percent: 50,
    });

    // By hour (local), by queue, by channel, with a 30 s target.
    const hours = await reports.getReport(workspaceId, {
      ...day,
      metrics: ['conversations'],
      dimension: 'hour',
    });
    expect(hours.rows.map((r) => [r.key, r.values.conversations])).toEqual([
      ['2026-03-02T08:00', 1],
      ['2026-03-02T09:00', 1],
      ['2026-03-02T11:00', 1],
      ['2026-03-02T14:00', 2],
      ['2026-03-02T16:00', 1],
    ]);
    const queues = await reports.getReport(workspaceId, {
      ...day,
      metrics: ['offered', 'answered_within_target', 'service_level_percent'],
      dimension: 'queue',
      serviceLevelTarget: 30,
    });
    expect(queues.rows).toEqual([
      { key: 'none', values: { offered: 0, answered_within_target: 0, service_level_percent: null } },
      { key: 'sales', values: { offered: 5, answered_within_target: 1, service_level_percent: 20 } },
    ]);
    const channels = await reports.getReport(workspaceId, {
      ...day,
      metrics: ['conversations'],
      dimension: 'channel',
    });
    expect(channels.rows).toEqual([
      { key: 'sms', values: { conversations: 1 } },
      { key: 'web', values: { conversations: 5 } },
    ]);

    // Agents: A online 08:00–12:00 holding C1 for 3,540 + 1,770 s and C2 for 20 s (while it held C1); B online 09:00–18:00 holding
    // C2 2,040 s, C4 90 s and C6 1,130 s (together 14:01:10–14:02), C5 2,380 s.
    const agentQuery: ReportQuery = {
      metrics: ['handled', 'concurrency_mean', 'concurrency_max', 'occupancy_percent', 'time_online'],
      dimension: 'agent',
      from: '2026-03-02',
      to: '2026-03-03',
    };
    const agents = await reports.getReport(workspaceId, agentQuery);
    expect(agents.rows).toEqual([
      {
        key: agentA,
        values: {
          handled: 2,
          concurrency_mean: 5330 / 14400,
          concurrency_max: 2,
          occupancy_percent: (5310 / 14400) * 100,
          time_online: 14400,
        },
      },
      {
        key: agentB,
        values: {
          handled: 4,
          concurrency_mean: 5640 / 32400,
          concurrency_max: 2,
          occupancy_percent: (5590 / 32400) * 100,
          time_online: 32400,
        },
      },
    ]);
    const agentsInHours = await reports.getReport(workspaceId, { ...agentQuery, time: 'business' });
    expect(agentsInHours.rows.map((r) => [r.key, r.values.time_online, r.values.concurrency_mean])).toEqual([
      [agentA, 10800, 3590 / 10800],
      [agentB, 28800, 3840 / 28800],
    ]);

    // The other workspace sees only its own conversation.
    const other = await reports.getReport(otherWorkspace, { ...day, metrics: ['conversations'] });
    expect(other.rows).toEqual([{ key: '2026-03-02', values: { conversations: 1 } }]);

    // A new clock rebuilds the figures: in UTC, C1 to C6 fall between 07:30 and 16:10.
    await reports.setWorkspaceClock(workspaceId, { timeZone: 'UTC', businessHours: null });
    const utc = await reports.getReport(workspaceId, {
      ...day,
      metrics: ['conversations', 'resolution_time'],
      dimension: 'hour',
      time: 'business',
    });
    expect(utc.rows.map((r) => r.key)).toEqual([
      '2026-03-02T07:00',
      '2026-03-02T08:00',
      '2026-03-02T10:00',
      '2026-03-02T13:00',
      '2026-03-02T15:00',
    ]);
    expect(utc.rows.reduce((n, r) => n + (r.values.conversations ?? 0), 0)).toBe(6);
  });

  it('keeps the figures when a customer is erased, and no row names their conversations (ADR 0107)', async () => {
    const erasedWorkspace = randomUUID();
    events.length = 0;
    // The customer's two conversations and someone else's, on a UTC clock.
    const e1 = conversation('web', erasedWorkspace)
      .opened('10:00')
      .assigned('10:01', agentA)
      .agentReply('10:02', agentA)
      .status('10:10', 'resolved', 'open', 'agent')
      .csat('10:11', 4);
    const e2 = conversation('sms', erasedWorkspace).opened('11:00').assigned('11:00:30', agentB);
    const kept = conversation('web', erasedWorkspace)
      .opened('12:00')
      .assigned('12:00:10', agentA)
      .agentReply('12:01', agentA);
    await bus.emit(events);
    const day: ReportQuery = {
      metrics: [
        'conversations',
        'time_to_first_assignment',
        'resolved',
        'replies',
        'csat_average',
        'offered',
      ],
      dimension: 'day',
      from: '2026-03-01',
      to: '2026-04-01',
    };
    const agentQuery: ReportQuery = {
      metrics: ['handled', 'concurrency_max'],
      dimension: 'agent',
      from: '2026-03-02',
      to: '2026-03-03',
    };
    const before = await waitFor(
      async () => {
        const view = await reports.getReport(erasedWorkspace, day);
        const v = view.rows[0]?.values;
        return v?.conversations === 3 &&
          v.time_to_first_assignment === (60 + 30 + 10) / 3 &&
          v.csat_average === 4
          ? view
          : null;
      },
      { what: 'the conversations reported', timeoutMs: 30_000 },
    );
    const agentsBefore = await reports.getReport(erasedWorkspace, agentQuery);

    // History erases the customer: it resolves the open conversation (e2), then says so.
    const erasedAt = paris('15:00');
    events.length = 0;
    e2.status('15:00', 'resolved', 'open', 'agent');
    events.push(
      CustomerErasedV1.create({
        workspaceId: erasedWorkspace,
        payload: {
          customerId: randomUUID(),
          conversationIds: [e1.conversationId, e2.conversationId],
          erasedAt,
        },
      }),
    );
    await bus.emit(events);
    const db = app.get<DataSource>(getServiceDataSourceToken('reporting'));
    const erasedIds = [e1.conversationId, e2.conversationId];
    await waitFor(
      async () => {
        const [row] = await db.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM reporting.erased_conversations WHERE workspace_id = $1',
          [erasedWorkspace],
        );
        return row!.n === 2 ? true : null;
      },
      { what: 'the erasure applied', timeoutMs: 30_000 },
    );
    // A late event of an erased conversation (a rating still in flight) is dropped.
    await bus.emit([
      CsatSubmittedV1.create({
        workspaceId: erasedWorkspace,
        payload: {
          conversationId: e1.conversationId,
          channel: 'web',
          channelAccountId: 'widget',
          sender: { kind: 'web_visitor', address: 'late' },
          rating: 1,
          submittedAt: paris('15:01'),
        },
      }),
      ...conversation('web', erasedWorkspace).opened('16:00').events(),
    ]);
    const after = await waitFor(
      async () => {
        const view = await reports.getReport(erasedWorkspace, day);
        return view.rows[0]?.values.conversations === 4 ? view : null;
      },
      { what: 'the events after the erasure read', timeoutMs: 30_000 },
    );
    // Same counts (e2's resolution added), one more conversation opened after, the late rating not counted.
    expect(after.rows[0]!.values).toEqual({
      ...before.rows[0]!.values,
      conversations: 4,
      time_to_first_assignment: (60 + 30 + 10) / 3,
      resolved: 2,
      offered: 4,
    });
    expect(after.rows[0]!.values.csat_average).toBe(4);
    expect((await reports.getReport(erasedWorkspace, agentQuery)).rows).toEqual(agentsBefore.rows);
    // No row of the store names the erased conversations; the one kept is still there.
    for (const table of ['facts', 'conversations', 'assignments']) {
      const [row] = await db.query<{ erased: number; kept: number }[]>(
        `SELECT count(*) FILTER (WHERE conversation_id = ANY($2::uuid[]))::int AS erased,
                count(*) FILTER (WHERE conversation_id = $3)::int AS kept
           FROM reporting.${table} WHERE workspace_id = $1`,
        [erasedWorkspace, erasedIds, kept.conversationId],
      );
      expect({ table, ...row }).toEqual({ table, erased: 0, kept: expect.any(Number) as number });
      expect(row!.kept).toBeGreaterThan(0);
    }
    // Re-keyed conversations still count when the figures are recomputed (a new clock).
    await reports.setWorkspaceClock(erasedWorkspace, { timeZone: 'Europe/Paris', businessHours: null });
    const paris2 = await reports.getReport(erasedWorkspace, {
      ...day,
      metrics: ['conversations', 'resolved'],
    });
    expect(paris2.rows).toEqual([{ key: '2026-03-02', values: { conversations: 4, resolved: 2 } }]);
  });

  it('filters by the labels conversations carry now and by the agents they were assigned to (ADR 0123)', async () => {
    const labelled = randomUUID();
    events.length = 0;
    const [vip, billing] = [randomUUID(), randomUUID()];
    // L1: VIP, then VIP and Billing; answered by A in 60 s. L2: Billing, then none; B in 120 s.
    // L3: VIP; A took it, B answered in 300 s. L4: no label, nobody.
    const l1 = conversation('web', labelled)
      .opened('09:00')
      .assigned('09:00:10', agentA)
      .agentReply('09:01', agentA)
      .labels('09:02', [vip])
      .labels('09:05', [vip, billing]);
    const l2 = conversation('sms', labelled)
      .opened('10:00')
      .assigned('10:00:10', agentB)
      .agentReply('10:02', agentB)
      .labels('10:03', [billing])
      .labels('10:04', []);
    conversation('web', labelled)
      .opened('11:00')
      .assigned('11:00:10', agentA)
      .unassigned('11:01', agentA)
      .assigned('11:02', agentB)
      .agentReply('11:05', agentB)
      .labels('11:06', [vip]);
    conversation('web', labelled).opened('12:00');
    // Newest first, and a third of them twice: the latest set wins whatever the order.
    const published = [...events].reverse();
    await bus.emit([...published, ...published.filter((_, i) => i % 3 === 0)]);
    const day = (filters: Partial<ReportQuery>) =>
      reports.getReport(labelled, {
        metrics: ['conversations', 'first_response_time'],
        dimension: 'day',
        from: '2026-03-02',
        to: '2026-03-03',
        ...filters,
      });
    const figures = async (filters: Partial<ReportQuery>) => (await day(filters)).rows[0]?.values ?? null;
    await waitFor(
      async () =>
        (await figures({}))?.conversations === 4 && (await figures({ labelId: vip }))?.conversations === 2,
      { what: 'the labelled day read', timeoutMs: 30_000 },
    );
    expect(await figures({})).toEqual({ conversations: 4, first_response_time: (60 + 120 + 300) / 3 });
    expect(await figures({ labelId: vip })).toEqual({
      conversations: 2,
      first_response_time: (60 + 300) / 2,
    });
    expect(await figures({ labelId: billing })).toEqual({ conversations: 1, first_response_time: 60 });
    expect(await figures({ labelId: randomUUID() })).toBeNull();
    // By agent: every conversation they were assigned at some time (A took L3 before B answered it).
    expect(await figures({ agentId: agentA })).toEqual({
      conversations: 2,
      first_response_time: (60 + 300) / 2,
    });
    expect(await figures({ agentId: agentB })).toEqual({
      conversations: 2,
      first_response_time: (120 + 300) / 2,
    });
    expect(await figures({ agentId: agentB, labelId: vip })).toEqual({
      conversations: 1,
      first_response_time: 300,
    });
    expect(await figures({ agentId: agentB, labelId: vip, channel: 'sms' })).toBeNull();
    // The agent's own row by agent, and the hours the same filters pick (a UTC clock: 09:00 in Paris
    // is 08:00 UTC).
    expect(
      (
        await reports.getReport(labelled, {
          metrics: ['handled'],
          dimension: 'agent',
          from: '2026-03-02',
          to: '2026-03-03',
          agentId: agentB,
        })
      ).rows,
    ).toEqual([{ key: agentB, values: { handled: 2 } }]);
    expect((await day({ dimension: 'hour', labelId: vip, metrics: ['conversations'] })).rows).toEqual([
      { key: '2026-03-02T08:00', values: { conversations: 1 } },
      { key: '2026-03-02T10:00', values: { conversations: 1 } },
    ]);

    // An erasure moves the labels with the conversation: the label's figures stay, no row names it.
    events.length = 0;
    events.push(
      CustomerErasedV1.create({
        workspaceId: labelled,
        payload: { customerId: randomUUID(), conversationIds: [l1.conversationId], erasedAt: paris('15:00') },
      }),
    );
    await bus.emit(events);
    const db = app.get<DataSource>(getServiceDataSourceToken('reporting'));
    await waitFor(
      async () =>
        (
          await db.query<{ n: number }[]>(
            'SELECT count(*)::int AS n FROM reporting.erased_conversations WHERE workspace_id = $1',
            [labelled],
          )
        )[0]!.n === 1,
      { what: 'the erasure applied', timeoutMs: 30_000 },
    );
    // A label change still in flight for the erased conversation is dropped.
    events.length = 0;
    l1.labels('15:01', []);
    l2.labels('15:02', [vip]);
    await bus.emit(events);
    await waitFor(async () => (await figures({ labelId: vip }))?.conversations === 3, {
      what: 'the labels after the erasure read',
      timeoutMs: 30_000,
    });
    expect(await figures({ labelId: vip })).toEqual({
      conversations: 3,
      first_response_time: (60 + 120 + 300) / 3,
    });
    expect(await figures({ labelId: billing })).toEqual({ conversations: 1, first_response_time: 60 });
    const [row] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM reporting.conversation_labels WHERE workspace_id = $1 AND conversation_id = $2`,
      [labelled, l1.conversationId],
    );
    expect(row!.n).toBe(0);
  });

  it('refuses malformed queries with the fields named', async () => {
    await expect(
      reports.getReport(workspaceId, {
        metrics: ['conversations'],
        dimension: 'day',
        from: '2026-03-32',
        to: '2026-04-01',
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      fieldViolations: [expect.objectContaining({ field: 'from' })],
    });
    await expect(
      reports.getReport(workspaceId, {
        metrics: ['handled'],
        dimension: 'day',
        from: '2026-03-01',
        to: '2026-03-01',
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      fieldViolations: [
        expect.objectContaining({ field: 'to' }),
        expect.objectContaining({ field: 'dimension' }),
      ],
    });
  });
});
