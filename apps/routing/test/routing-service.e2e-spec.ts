import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  AlreadyExistsError,
  ConversationAssignedV1,
  ConversationUnassignedV1,
  InvalidArgumentError,
  NotFoundError,
  FailedPreconditionError,
  type EventEnvelope,
} from '@switchboard/contracts';
import { createTestDatabase, testRunId, waitFor, type TestDatabase } from '@switchboard/testing';
import {
  openedEvent,
  resolvedEvent,
  routingTestBus,
  startRoutingInstance,
  type RoutingInstance,
} from './routing-instance.util.js';

/** The routing service on the real broker and PostgreSQL: configuration, decisions, restarts. */
describe('routing service', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let instance: RoutingInstance | undefined;
  let io: Awaited<ReturnType<typeof routingTestBus>>;
  const workspace = randomUUID();
  const web: ReturnType<typeof openedEvent>[] = [];

  const assignments = () =>
    io.outputs.filter(
      (e): e is ConversationAssignedV1 =>
        e.type === ConversationAssignedV1.type && e.workspaceId === workspace,
    );

  beforeAll(async () => {
    database = await createTestDatabase('routing_service');
    const prefix = `${testRunId()}-routing-${randomUUID().slice(0, 6)}.`;
    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: '3',
      ROUTING_DISCONNECT_GRACE_SECONDS: '0',
    };
    io = await routingTestBus(prefix);
    instance = await startRoutingInstance(env);
  });

  afterAll(async () => {
    await instance?.close();
    await io?.close();
    await database?.drop();
  });

  it('configures queues and agents through RoutingApi, validating at the edge', async () => {
    const api = instance!.api;
    await expect(
      api.upsertQueue(workspace, {
        name: 'bad',
        steps: [{ expression: 'billing >= ', expiresAfterSeconds: 10 }],
      }),
    ).rejects.toMatchObject({
      constructor: InvalidArgumentError,
      fieldViolations: [expect.objectContaining({ field: 'steps.0.expression' })],
    });
    const billing = await api.upsertQueue(workspace, {
      id: 'billing',
      name: 'Billing',
      priority: 5,
      entry: { channels: ['sms'] },
      steps: [{ expression: 'billing >= 4', expiresAfterSeconds: 2 }],
    });
    expect(billing).toMatchObject({
      id: 'billing',
      mode: 'auto',
      serviceLevel: { targetPercent: 80, withinSeconds: 60 },
    });
    await expect(api.upsertQueue(workspace, { name: 'billing' })).rejects.toThrow('exists');
    await api.upsertAgent(workspace, {
      agentId: 'ann',
      displayName: 'Ann',
      skills: [{ skill: 'billing', proficiency: 5 }],
      maxConcurrent: 1,
    });
    const bob = await api.upsertAgent(workspace, {
      agentId: 'bob',
      displayName: 'Bob <b>',
      skills: [],
      maxConcurrent: 2,
    });
    expect(bob).toMatchObject({ capacity: 2, presence: 'offline', load: 0, displayName: 'Bob <b>' });
    await expect(
      api.upsertAgent(workspace, {
        agentId: 'x',
        displayName: 'X',
        skills: [{ skill: 'Bad Skill', proficiency: 9 }],
      }),
    ).rejects.toMatchObject({
      fieldViolations: [
        expect.objectContaining({ field: 'skills.0.skill' }),
        expect.objectContaining({ field: 'skills.0.proficiency' }),
      ],
    });
    // Another workspace's ids read as not found.
    await expect(api.getAgent(randomUUID(), 'ann')).rejects.toBeInstanceOf(NotFoundError);
    await expect(api.getQueue(randomUUID(), 'billing')).rejects.toBeInstanceOf(NotFoundError);
    expect((await api.listAgents(workspace)).map((a) => a.agentId)).toEqual(['ann', 'bob']);
  });

  it('creates an agent once and applies concurrent patches without losing either', async () => {
    const api = instance!.api;
    const created = await api.createAgent(workspace, {
      agentId: 'cleo',
      displayName: 'Cleo',
      skills: [{ skill: 'billing', proficiency: 2 }],
      maxConcurrent: 3,
    });
    expect(created).toMatchObject({ agentId: 'cleo', maxConcurrent: 3, presence: 'offline' });
    await expect(
      api.createAgent(workspace, { agentId: 'cleo', displayName: 'Other', skills: [] }),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await api.getAgent(workspace, 'cleo')).displayName).toBe('Cleo');

    await Promise.all([
      api.updateAgent(workspace, 'cleo', { displayName: 'Cleo B.' }),
      api.updateAgent(workspace, 'cleo', { skills: [{ skill: 'spanish', proficiency: 5 }] }),
      api.updateAgent(workspace, 'cleo', { channelCapacity: { sms: 2 } }),
    ]);
    expect(await api.getAgent(workspace, 'cleo')).toMatchObject({
      displayName: 'Cleo B.',
      skills: [{ skill: 'spanish', proficiency: 5 }],
      channelCapacity: { sms: 2 },
      maxConcurrent: 3,
    });
    expect(await api.updateAgent(workspace, 'cleo', { maxConcurrent: null })).toMatchObject({
      maxConcurrent: null,
      displayName: 'Cleo B.',
    });
    await expect(
      api.updateAgent(workspace, 'cleo', { skills: [{ skill: 'Bad Skill', proficiency: 9 }] }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(api.updateAgent(randomUUID(), 'cleo', { displayName: 'X' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await api.removeAgent(workspace, 'cleo');
  });

  it('assigns an opened conversation with its explanation, widening the steps, and drains a resolved one', async () => {
    const api = instance!.api;
    await api.setPresence(workspace, 'bob', 'online', 'agent');
    const sms = openedEvent(workspace, { channel: 'sms' });
    await io.emit(sms);
    // Only billing >= 4 at first: bob is not eligible; after 2 s any agent of the queue is.
    await waitFor(() => assignments().find((e) => e.payload.conversationId === sms.payload.conversationId), {
      timeoutMs: 20_000,
      what: 'the SMS to be assigned',
    });
    const decision = assignments().find((e) => e.payload.conversationId === sms.payload.conversationId)!;
    expect(decision.payload).toMatchObject({
      agentId: 'bob',
      queueId: 'billing',
      mode: 'assign',
      explanation: { step: { index: 1, expression: 'TRUE' } },
    });
    expect(Date.parse(decision.payload.assignedAt) - Date.parse(sms.occurredAt)).toBeGreaterThanOrEqual(
      1_900,
    );
    expect(await api.getDecision(workspace, sms.payload.conversationId)).toMatchObject({
      state: 'assigned',
      agentId: 'bob',
      explanation: decision.payload.explanation,
    });

    web.push(openedEvent(workspace), openedEvent(workspace));
    for (const e of web) await io.emit(e);
    await waitFor(
      async () =>
        (await api.getDecision(workspace, web[1]!.payload.conversationId)).state === 'waiting' &&
        (await api.getDecision(workspace, web[0]!.payload.conversationId)).state === 'assigned',
      { what: 'bob full, one web conversation waiting' },
    );
    expect((await api.getAgent(workspace, 'bob')).load).toBe(2);
    const stats = await api.getQueueStats(workspace);
    expect(stats).toEqual([
      expect.objectContaining({ queueId: 'billing', waiting: 0, serviceLevelPercent: 100, agentsOnline: 1 }),
      // The default queue: the web conversations no entry rule took, one of them waiting for bob.
      expect.objectContaining({ queueId: '', name: 'Default', waiting: 1, agentsOnline: 1 }),
    ]);
    await io.emit(resolvedEvent(workspace, sms.payload.conversationId, sms.payload.customerId));
    await waitFor(
      () => assignments().some((e) => e.payload.conversationId === web[1]!.payload.conversationId),
      { what: 'the freed slot to drain the queue' },
    );
  });

  it('keeps its state through a restart and hands back unanswered conversations when an agent goes away', async () => {
    await instance!.close();
    instance = await startRoutingInstance(env);
    const restarted = instance.api;
    await waitFor(async () => (await restarted.getAgent(workspace, 'bob')).load === 2, {
      what: 'bob still holding two',
    });
    await restarted.setPresence(workspace, 'ann', 'online', 'agent');
    await restarted.setPresence(workspace, 'bob', 'away', 'agent');
    await waitFor(() => io.outputs.filter((e) => e.type === ConversationUnassignedV1.type).length === 2, {
      what: "bob's two conversations returned",
    });
    // ann (capacity 1) takes the older of the two; the other waits at the head of the queue.
    await waitFor(() => assignments().some((e) => e.payload.agentId === 'ann'), { what: 'ann to take one' });
    expect(assignments().find((e) => e.payload.agentId === 'ann')!.payload.conversationId).toBe(
      web[0]!.payload.conversationId,
    );
    expect(await restarted.getDecision(workspace, web[1]!.payload.conversationId)).toMatchObject({
      state: 'waiting',
      currentStep: 0,
    });
    await expect(restarted.answerOffer(workspace, randomUUID(), 'ann', true)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const annHas = assignments().find((e) => e.payload.agentId === 'ann')!;
    await expect(
      restarted.answerOffer(workspace, annHas.payload.conversationId, 'ann', true),
    ).rejects.toBeInstanceOf(FailedPreconditionError);
  });

  it('transfers to an agent and to a queue through the command topic', async () => {
    const api = instance!.api;
    const annHas = assignments().find((e) => e.payload.agentId === 'ann')!.payload.conversationId;
    await api.upsertQueue(workspace, { id: 'escalations', name: 'Escalations', entry: { namedOnly: true } });
    await api.setPresence(workspace, 'bob', 'online', 'agent');
    await api.transfer(
      workspace,
      annHas,
      { agentId: 'bob' },
      { type: 'agent', id: 'ann', name: 'Ann' },
      'needs bob',
    );
    const transferred = await waitFor(
      () =>
        assignments().find((e) => e.payload.conversationId === annHas && e.payload.explanation.step === null),
      { what: 'the transfer to bob' },
    );
    expect((await api.getDecision(workspace, annHas)).agentId).toBe('bob');
    expect(transferred.payload.explanation).toMatchObject({
      step: null,
      reason: 'transferred to bob by Ann',
    });
    await api.transfer(workspace, annHas, { queueId: 'escalations' }, { type: 'integrator' });
    await waitFor(async () => (await api.getDecision(workspace, annHas)).queueId === 'escalations', {
      what: 'the transfer to a queue',
    });
    await expect(
      api.transfer(workspace, annHas, { queueId: 'nope' }, { type: 'integrator' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await api.deleteQueue(workspace, 'escalations');
    await expect(api.getQueue(workspace, 'escalations')).rejects.toBeInstanceOf(NotFoundError);
    const types = new Set(io.outputs.map((e: EventEnvelope) => e.type));
    expect(types).toEqual(new Set([ConversationAssignedV1.type, ConversationUnassignedV1.type]));
  });
  it('prunes journal entries it applied once they pass the retention, and keeps routing', async () => {
    const sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    try {
      const count = async (where: string) =>
        Number(
          (
            await sql.query<{ n: string }>(
              `SELECT count(*) AS n FROM routing.inputs WHERE workspace_id = $1 AND ${where}`,
              [workspace],
            )
          ).rows[0]!.n,
        );
      const journaled = await count('true');
      expect(journaled).toBeGreaterThan(0);
      // Everything so far is applied; make it a day old (the retention is 24 hours).
      await sql.query(
        `UPDATE routing.inputs SET created_at = now() - interval '25 hours' WHERE workspace_id = $1`,
        [workspace],
      );
      const fresh = openedEvent(workspace);
      await io.emit(fresh);
      await waitFor(() => count(`event_id = '${fresh.id}'`), { what: 'the new event journaled' });
      await instance!.owner.pruneNow(workspace);
      expect(await count(`created_at < now() - interval '24 hours'`)).toBe(0);
      expect(await count(`event_id = '${fresh.id}'`)).toBe(1);
      // Within the retention, a redelivered event is still one entry (the next one, on the same
      // partition, shows the consumer got past it).
      const next = openedEvent(workspace);
      await io.emit(fresh);
      await io.emit(next);
      await waitFor(() => count(`event_id = '${next.id}'`), { what: 'the event after the redelivery' });
      expect(await count(`event_id = '${fresh.id}'`)).toBe(1);
      expect(await instance!.api.getDecision(workspace, fresh.payload.conversationId)).toBeDefined();
    } finally {
      await sql.end();
    }
  });
});
