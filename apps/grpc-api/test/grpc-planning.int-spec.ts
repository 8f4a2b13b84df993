import { HISTORY_API, ROUTING_API, type grpcV1, type SwitchboardClients } from '@switchboard/contracts';
import {
  InMemoryHistory,
  InMemoryRouting,
  localSwitchboardClients,
  rpcFailure,
  unary,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { startGrpcApiTestApp, type GrpcApiTestApp } from './grpc-api-test-app.js';

/**
 * QueueService's planning methods at the edge, with a real client and server over the routing
 * port (an in-memory stand-in: the planner itself is tested in routing, and end to end in
 * apps/routing/test/planning-api.e2e-spec).
 */
describe('gRPC staffing planning', () => {
  let api: GrpcApiTestApp;
  const history = new InMemoryHistory();
  const routing = new InMemoryRouting(history);
  const workspace = randomUUID();
  let c: SwitchboardClients;

  beforeAll(async () => {
    api = await startGrpcApiTestApp('grpc_planning', {
      providers: [
        { provide: HISTORY_API, useValue: history },
        { provide: ROUTING_API, useValue: routing },
      ],
    });
    const created = await api.keys.createApiKey(workspace, { name: 'WFM', scope: 'read', createdBy: 't' });
    c = localSwitchboardClients(api.port, created.key);
  });

  afterAll(async () => {
    c?.close();
    await api?.close();
  });

  it('plans from the request, translating unset patience, defaults and unbounded waits', async () => {
    const plan = await unary<
      SwitchboardClients['queues'],
      'PlanStaffing',
      object,
      grpcV1.StaffingPlan__Output
    >(c.queues, 'PlanStaffing', {
      arrivalsByHour: [0, 35],
      handleSeconds: 180,
      targetSeconds: 20,
      serviceLevelPercent: 80,
      maxChats: 2,
      concurrency: [1, 1.35],
      scheduled: [0, 3],
      timeZone: 'Europe/Paris',
    });
    expect(routing.plans).toEqual([
      {
        workspaceId: workspace,
        input: {
          arrivalsByHour: [0, 35],
          handleSeconds: 180,
          targetSeconds: 20,
          serviceLevelPercent: 80,
          patienceSeconds: null,
          maxChats: 2,
          concurrency: [1, 1.35],
          scheduled: [0, 3],
          timeZone: 'Europe/Paris',
        },
      },
    ]);
    expect(plan.method).toBe('PLANNING_METHOD_SIMULATION');
    expect(plan.timeZone).toBe('Europe/Paris');
    expect(plan.intervals[1]).toMatchObject({
      hour: 1,
      arrivals: 35,
      agentsNeeded: 4,
      scheduled: 3,
      method: 'PLANNING_METHOD_SIMULATION',
    });
    expect(plan.intervals[1]!.expected!.averageWaitSeconds).toBe(5);
    expect(plan.intervals[1]!.expectedScheduled!._averageWaitSeconds).toBeUndefined();

    await unary(c.queues, 'PlanStaffing', {
      arrivalsByHour: [5],
      handleSeconds: 60,
      targetSeconds: 20,
      serviceLevelPercent: 80,
      patienceSeconds: 90,
    });
    expect(routing.plans[1]!.input).toMatchObject({ patienceSeconds: 90, maxChats: 1 });
    expect(routing.plans[1]!.input.concurrency).toBeUndefined();
    expect(routing.plans[1]!.input.timeZone).toBeUndefined();

    // The queue's own routing, or steps and a skill mix given: translated as routing takes them.
    await unary(c.queues, 'PlanStaffing', {
      arrivalsByHour: [5],
      handleSeconds: 60,
      targetSeconds: 20,
      serviceLevelPercent: 80,
      queueId: 'billing',
      steps: [{ expression: 'billing >= 4', expiresAfterSeconds: 30 }, { expression: 'billing >= 2' }],
      team: [{ skills: [{ skill: 'billing', proficiency: 5 }], share: 3 }],
    });
    expect(routing.plans[2]!.input).toMatchObject({
      queueId: 'billing',
      steps: [
        { expression: 'billing >= 4', expiresAfterSeconds: 30 },
        { expression: 'billing >= 2', expiresAfterSeconds: null },
      ],
      team: [{ skills: [{ skill: 'billing', proficiency: 5 }], share: 3 }],
    });
    const noExpiry = await rpcFailure(
      unary(c.queues, 'PlanStaffing', {
        arrivalsByHour: [5],
        steps: [{ expression: 'billing >= 4' }, { expression: 'billing >= 2' }],
      }),
    );
    expect(noExpiry.status?.fieldViolations.map((f) => f.field)).toEqual(['steps[0].expires_after_seconds']);

    const bad = await rpcFailure(
      unary(c.queues, 'PlanStaffing', { arrivalsByHour: [], maxChats: 11, scheduled: [1, 2] }),
    );
    expect(bad.codeName).toBe('INVALID_ARGUMENT');
    expect(bad.status?.fieldViolations.map((f) => f.field).sort()).toEqual([
      'arrivals_by_hour',
      'max_chats',
      'scheduled',
    ]);
  });

  it('gives a queue’s recorded arrivals by hour of the week; NOT_FOUND for an unknown queue', async () => {
    await routing.upsertQueue(workspace, { id: 'chat', name: 'Chat' });
    const arrivals = await unary<
      SwitchboardClients['queues'],
      'GetArrivalHistory',
      object,
      grpcV1.ArrivalHistory__Output
    >(c.queues, 'GetArrivalHistory', { queueId: 'chat' });
    expect(arrivals).toMatchObject({
      queueId: 'chat',
      weeks: 4,
      meanHandleSeconds: 240,
      conversations: '7728',
      timeZone: 'UTC',
      concurrency: { factors: [1, 1.3], chats: '7728', aloneHandleSeconds: 210 },
    });
    const paris = await unary<
      SwitchboardClients['queues'],
      'GetArrivalHistory',
      object,
      grpcV1.ArrivalHistory__Output
    >(c.queues, 'GetArrivalHistory', { queueId: 'chat', timeZone: 'Europe/Paris' });
    expect(paris.timeZone).toBe('Europe/Paris');
    expect(arrivals.arrivalsByHour).toHaveLength(168);
    expect(arrivals.from).toEqual({ seconds: String(Date.parse('2026-11-01T00:00:00Z') / 1000), nanos: 0 });
    expect((await rpcFailure(unary(c.queues, 'GetArrivalHistory', { queueId: 'nope' }))).codeName).toBe(
      'NOT_FOUND',
    );
    expect(
      (await rpcFailure(unary(c.queues, 'GetArrivalHistory', { queueId: 'chat', weeks: 13 }))).codeName,
    ).toBe('INVALID_ARGUMENT');
  });
});
