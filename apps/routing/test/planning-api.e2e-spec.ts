import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  BotChannelSwitchedV1,
  BotHandoffRequestedV1,
  InvalidArgumentError,
  NotFoundError,
} from '@switchboard/contracts';
import { createTestDatabase, testRunId, waitFor, type TestDatabase } from '@switchboard/testing';
import {
  openedEvent,
  resolvedEvent,
  routingTestBus,
  startRoutingInstance,
  type RoutingInstance,
} from './routing-instance.util.js';

/** RoutingApi's planning methods on the real service: recorded arrivals by hour, and the planner. */
describe('routing planning API', () => {
  let database: TestDatabase;
  let instance: RoutingInstance | undefined;
  let db: pg.Client;
  let io: Awaited<ReturnType<typeof routingTestBus>> | undefined;
  const workspace = randomUUID();
  const other = randomUUID();
  const prefix = `${testRunId()}-planning-${randomUUID().slice(0, 6)}.`;

  beforeAll(async () => {
    database = await createTestDatabase('routing_planning');
    instance = await startRoutingInstance({
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: '1',
      // The held conversation must stay with the bot through the test, however slow the machine.
      ROUTING_BOT_REPLY_SECONDS: '3600',
    });
    io = await routingTestBus(prefix);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await io?.close();
    await db?.end();
    await instance?.close();
    await database?.drop();
  });

  /** A resolved conversation as routing records it: arrived, assigned 10 s later, resolved after `handle`. */
  async function recorded(
    workspaceId: string,
    queueId: string | null,
    arrivedAt: Date,
    handle = 300,
    agentId = 'ann',
  ) {
    const assigned = new Date(arrivedAt.getTime() + 10_000);
    await db.query(
      `INSERT INTO routing.conversations
         (workspace_id, conversation_id, state, queue_id, agent_id, arrived_at, assigned_at, decided_at, resolved_at, snapshot)
       VALUES ($1, $2, 'resolved', $3, $7, $4, $5, $5, $6, '{}')`,
      [
        workspaceId,
        randomUUID(),
        queueId,
        arrivedAt,
        assigned,
        new Date(assigned.getTime() + handle * 1000),
        agentId,
      ],
    );
  }

  /** Monday 00:00 = 0 … Sunday 23:00 = 167, on `timeZone`'s clock, as the runtime's zone data says. */
  function hourOfWeek(at: Date, timeZone: string): number {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
    const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(
      parts.find((p) => p.type === 'weekday')!.value,
    );
    return day * 24 + Number(parts.find((p) => p.type === 'hour')!.value);
  }

  it('gives a queue’s arrivals by hour of the week, averaged over the weeks asked, and its handle time', async () => {
    const api = instance!.api;
    await api.upsertQueue(workspace, { id: 'chat', name: 'Chat' });
    await api.upsertQueue(other, { id: 'chat', name: 'Chat' });
    // The latest Monday 09:00–10:00 UTC at least two days back, and the two before it.
    const monday = new Date(Date.now() - 2 * 86_400_000);
    monday.setUTCHours(9, 0, 0, 0);
    while (monday.getUTCDay() !== 1) monday.setUTCDate(monday.getUTCDate() - 1);
    for (let week = 0; week < 3; week++)
      for (let i = 0; i < 10; i++) {
        const at = new Date(monday.getTime() - week * 7 * 86_400_000 + i * 300_000);
        await recorded(workspace, 'chat', at, 200 + 20 * i);
        await recorded(other, 'chat', at); // another workspace: never counted
        await recorded(workspace, null, at); // the default queue
      }
    // Older than four weeks: outside the window.
    await recorded(workspace, 'chat', new Date(monday.getTime() - 35 * 86_400_000));

    const history = await api.getArrivalHistory(workspace, 'chat', 4);
    expect(history).toMatchObject({
      queueId: 'chat',
      weeks: 4,
      timeZone: 'UTC',
      conversations: 30,
      meanHandleSeconds: 290,
    });
    expect(history.arrivalsByHour).toHaveLength(168);
    expect(history.arrivalsByHour[9]).toBe(7.5); // 30 over 4 weeks, Monday 09:00
    expect(history.arrivalsByHour.reduce((a, b) => a + b, 0)).toBe(7.5);
    expect(new Date(history.to).getTime() - new Date(history.from).getTime()).toBe(28 * 86_400_000);
    expect((await api.getArrivalHistory(workspace, 'default')).conversations).toBe(30);
    expect((await api.getArrivalHistory(workspace, 'chat', 1)).conversations).toBeLessThanOrEqual(10);

    await expect(api.getArrivalHistory(workspace, 'nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.getArrivalHistory(randomUUID(), 'chat')).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.getArrivalHistory(workspace, 'chat', 13)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(api.getArrivalHistory(workspace, 'chat', 4, 'Mars/Olympus')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('counts hours on the workspace’s clock, each averaged over the times it occurred (daylight saving)', async () => {
    const api = instance!.api;
    const zoned = randomUUID();
    await api.upsertQueue(zoned, { id: 'chat', name: 'Chat' });
    // One arrival 10 minutes into every hour of the last 12 weeks, in UTC: on any zone's clock
    // each hour of the week then had exactly one arrival each time it occurred. Twelve weeks back
    // from December cross October's change, when Paris repeats Sunday 02:00 and skips none; a
    // plain division by 12 would give that hour 13/12. Kolkata's hours start at :30 UTC.
    await db.query(
      `INSERT INTO routing.conversations (workspace_id, conversation_id, state, queue_id, arrived_at, snapshot)
       SELECT $1, gen_random_uuid(), 'waiting', 'chat', h + interval '10 minutes', '{}'
       FROM generate_series(date_trunc('hour', now()) - interval '13 weeks', date_trunc('hour', now()), interval '1 hour') AS h`,
      [zoned],
    );
    for (const timeZone of ['Europe/Paris', 'America/New_York', 'Asia/Kolkata']) {
      const history = await api.getArrivalHistory(zoned, 'chat', 12, timeZone);
      expect(history.timeZone).toBe(timeZone);
      expect(new Set(history.arrivalsByHour)).toEqual(new Set([1]));
      expect(history.conversations).toBe(12 * 168);
    }

    // And a Monday 09:20 in Paris is counted at Monday 09:00 there, not at the UTC hour.
    const local = randomUUID();
    await api.upsertQueue(local, { id: 'chat', name: 'Chat' });
    // The latest Monday 09:20 in Paris (its offsets are whole hours): within the last week,
    // whenever the test runs. Started three days back, a run on a Monday morning found the one
    // before last, outside the one-week window (CI, Monday 09:00 UTC). (One hour a year, the Monday
    // after October's change, a week of 169 hours still puts it just outside.)
    const at = new Date();
    at.setUTCMinutes(20, 0, 0);
    if (at.getTime() > Date.now()) at.setTime(at.getTime() - 3_600_000);
    while (hourOfWeek(at, 'Europe/Paris') !== 9) at.setTime(at.getTime() - 3_600_000);
    await recorded(local, 'chat', at);
    const paris = await api.getArrivalHistory(local, 'chat', 1, 'Europe/Paris');
    expect(paris.arrivalsByHour[9]).toBe(1);
    expect((await api.getArrivalHistory(local, 'chat', 1)).arrivalsByHour[hourOfWeek(at, 'UTC')]).toBe(1);
    expect(hourOfWeek(at, 'UTC')).not.toBe(9);
  });

  it('fits the queue’s concurrency curve from its recorded chats', async () => {
    const api = instance!.api;
    const fitted = randomUUID();
    await api.upsertQueue(fitted, { id: 'chat', name: 'Chat' });
    const start = Date.now() - 5 * 86_400_000;
    // 40 chats bo handles alone (200 s, one after another), and 20 pairs cy holds together
    // (260 s each, both at once): two chats at once take 1.3× as long.
    for (let i = 0; i < 40; i++) await recorded(fitted, 'chat', new Date(start + i * 600_000), 200, 'bo');
    for (let i = 0; i < 20; i++)
      for (let twice = 0; twice < 2; twice++)
        await recorded(fitted, 'chat', new Date(start + i * 600_000), 260, 'cy');
    const history = await api.getArrivalHistory(fitted, 'chat');
    expect(history.concurrency).toEqual({ factors: [1, 1.3], chats: 80, aloneHandleSeconds: 200 });
    // Too few handled alone to say: no curve.
    const sparse = randomUUID();
    await api.upsertQueue(sparse, { id: 'chat', name: 'Chat' });
    for (let i = 0; i < 5; i++) await recorded(sparse, 'chat', new Date(start + i * 600_000), 200, 'bo');
    expect((await api.getArrivalHistory(sparse, 'chat')).concurrency).toBeNull();
  });

  it('leaves out conversations the bot resolved, and counts a handed-off one from its hand-off', async () => {
    const api = instance!.api;
    const bot = randomUUID();
    await io!.emit(
      BotChannelSwitchedV1.create({
        workspaceId: bot,
        payload: { channel: 'web', enabled: true, switchedAt: new Date().toISOString() },
      }),
    );
    const resolvedByBot = openedEvent(bot);
    const handedOff = openedEvent(bot);
    const stillHeld = openedEvent(bot);
    const beforeTheBot = openedEvent(bot, { channel: 'sms' }); // a channel without the bot: counted
    for (const e of [resolvedByBot, handedOff, stillHeld, beforeTheBot]) await io!.emit(e);
    const state = (id: string) =>
      db
        .query<{ state: string; arrived_at: Date }>(
          'SELECT state, arrived_at FROM routing.conversations WHERE workspace_id = $1 AND conversation_id = $2',
          [bot, id],
        )
        .then((r) => r.rows[0]);
    for (const e of [resolvedByBot, handedOff, stillHeld])
      await waitFor(async () => (await state(e.payload.conversationId))?.state === 'bot', { what: 'held' });
    const openedAt = (await state(handedOff.payload.conversationId))!.arrived_at;

    await io!.emit(
      resolvedEvent(bot, resolvedByBot.payload.conversationId, resolvedByBot.payload.customerId),
    );
    await new Promise((r) => setTimeout(r, 20));
    await io!.emit(
      BotHandoffRequestedV1.create({
        workspaceId: bot,
        payload: {
          conversationId: handedOff.payload.conversationId,
          customerId: handedOff.payload.customerId,
          reason: 'asked_for_person',
          articleIds: [],
          requestedAt: new Date().toISOString(),
        },
      }),
    );
    await waitFor(async () => (await state(resolvedByBot.payload.conversationId))?.state === 'resolved', {
      what: 'resolved with the bot',
    });
    const handed = await waitFor(
      async () => {
        const row = await state(handedOff.payload.conversationId);
        return row?.state === 'waiting' ? row : undefined;
      },
      { what: 'handed off' },
    );
    // Its arrival is the hand-off, not the opening.
    expect(handed.arrived_at.getTime()).toBeGreaterThan(openedAt.getTime());

    // The window ends at the start of the current hour: move what routing recorded an hour back
    // (nothing else of the rows changes) so it falls inside.
    await db.query(
      "UPDATE routing.conversations SET arrived_at = arrived_at - interval '1 hour' WHERE workspace_id = $1",
      [bot],
    );
    const history = await api.getArrivalHistory(bot, 'default', 1);
    // The SMS one, and the handed-off one — at its hand-off's hour: not the one the bot resolved,
    // nor the one it still holds.
    expect(history.conversations).toBe(2);
    expect(history.arrivalsByHour.reduce((a, b) => a + b, 0)).toBe(2);
    expect(
      history.arrivalsByHour[hourOfWeek(new Date(handed.arrived_at.getTime() - 3_600_000), 'UTC')],
    ).toBeGreaterThanOrEqual(1);
    expect(history.meanHandleSeconds).toBeNull();
  });

  it('plans staffing from those arrivals, and validates the request at the edge', async () => {
    const api = instance!.api;
    const history = await api.getArrivalHistory(workspace, 'chat', 4);
    const plan = await api.planStaffing(workspace, {
      arrivalsByHour: history.arrivalsByHour.map((n) => n * 20),
      handleSeconds: history.meanHandleSeconds!,
      targetSeconds: 30,
      serviceLevelPercent: 80,
      patienceSeconds: 120,
      maxChats: 2,
      concurrency: [1, 1.35],
      timeZone: 'Europe/Paris',
    });
    expect(plan.method).toBe('simulation');
    expect(plan.timeZone).toBe('Europe/Paris');
    expect(plan.intervals).toHaveLength(168);
    const peak = plan.intervals[9]!;
    expect(peak).toMatchObject({ hour: 9, arrivals: 150 });
    expect(peak.agentsNeeded).toBeGreaterThan(5);
    expect(peak.expected.serviceLevelPercent).toBeGreaterThanOrEqual(80);
    expect(plan.intervals[0]).toMatchObject({ arrivals: 0, agentsNeeded: 0 });

    await expect(
      api.planStaffing(workspace, {
        arrivalsByHour: [10],
        handleSeconds: 200,
        targetSeconds: 20,
        serviceLevelPercent: 100,
        patienceSeconds: null,
        maxChats: 2,
        concurrency: [1.2, 1.5],
        scheduled: [1, 2],
      }),
    ).rejects.toMatchObject({
      constructor: InvalidArgumentError,
      fieldViolations: expect.arrayContaining([
        expect.objectContaining({ field: 'serviceLevelPercent' }),
        expect.objectContaining({ field: 'concurrency' }),
      ]),
    });
  });

  it("plans a queue with its own steps and its agents' skills by simulation through the core, hour by hour", async () => {
    const api = instance!.api;
    const steps = [
      { expression: 'billing >= 4', expiresAfterSeconds: 30 },
      { expression: 'billing >= 2', expiresAfterSeconds: 30 },
    ];
    await api.upsertQueue(workspace, { id: 'experts', name: 'Experts', steps });
    await api.upsertAgent(workspace, {
      agentId: 'eve',
      displayName: 'Eve',
      skills: [{ skill: 'billing', proficiency: 5 }],
      queueIds: ['experts'],
    });
    await api.upsertAgent(workspace, {
      agentId: 'fay',
      displayName: 'Fay',
      skills: [{ skill: 'billing', proficiency: 2 }],
    });
    // Neither another queue's agent nor another workspace's is the team.
    await api.upsertAgent(workspace, {
      agentId: 'gus',
      displayName: 'Gus',
      skills: [{ skill: 'tech', proficiency: 5 }],
      queueIds: ['chat'],
    });
    await api.upsertAgent(other, {
      agentId: 'hal',
      displayName: 'Hal',
      skills: [{ skill: 'tech', proficiency: 1 }],
    });
    const request = {
      arrivalsByHour: [60, 0],
      handleSeconds: 180,
      targetSeconds: 20,
      serviceLevelPercent: 80,
      patienceSeconds: null,
      maxChats: 1,
    };
    const routed = await api.planStaffing(workspace, { ...request, queueId: 'experts' });
    expect(routed.method).toBe('simulation');
    expect(routed.basis).toContain('billing >= 4 → billing >= 2');
    expect(routed.basis).toContain('50% billing 5, 50% billing 2');
    expect(routed.basis).not.toContain('tech');
    expect(routed.intervals.map((i) => i.method)).toEqual(['simulation', 'erlang-c']);
    expect(routed.intervals[0]!.answeredByStepPercent).toHaveLength(3);
    const erlang = await api.planStaffing(workspace, request);
    expect(erlang.intervals.map((i) => i.method)).toEqual(['erlang-c', 'erlang-c']);
    expect(routed.intervals[0]!.agentsNeeded).toBeGreaterThanOrEqual(erlang.intervals[0]!.agentsNeeded);
    // A skill mix given replaces the queue's agents: all experts, so the steps hold nobody back.
    const experts = await api.planStaffing(workspace, {
      ...request,
      queueId: 'experts',
      team: [{ skills: [{ skill: 'billing', proficiency: 4 }], share: 1 }],
    });
    expect(experts.method).toBe('erlang-c');
    await expect(api.planStaffing(workspace, { ...request, queueId: 'nope' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      api.planStaffing(workspace, {
        ...request,
        steps: [{ expression: 'billing >=', expiresAfterSeconds: null }],
      }),
    ).rejects.toMatchObject({
      constructor: InvalidArgumentError,
      fieldViolations: [expect.objectContaining({ field: 'steps.0.expression' })],
    });
  });
});
