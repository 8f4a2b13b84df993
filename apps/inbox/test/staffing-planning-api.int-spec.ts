import pg from 'pg';
import { DEFAULT_WORKSPACE_ID, type StaffingPlanView } from '@switchboard/contracts';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

/**
 * Supervisor → Planning's routes over the routing port (a double here: the planner is tested in
 * routing, end to end in apps/routing/test/planning-api.e2e-spec): supervisors and admins only,
 * the session's workspace and its time zone, field errors.
 */
describe('inbox staffing planning API', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_planning');
    await inbox.routing.upsertQueue(DEFAULT_WORKSPACE_ID, { id: 'chat', name: 'Chat' });
    // The workspace keeps its clock in Paris: history and plans follow it.
    const db = new pg.Client({ connectionString: inbox.database.url });
    await db.connect();
    await db.query(`UPDATE inbox.workspaces SET time_zone = 'Europe/Paris' WHERE id = $1`, [
      DEFAULT_WORKSPACE_ID,
    ]);
    await db.end();
  });
  afterAll(async () => {
    await inbox?.close();
  });

  const request = {
    arrivalsByHour: [0, 45, 120],
    handleSeconds: 300,
    targetSeconds: 60,
    serviceLevelPercent: 80,
    patienceSeconds: 180,
    maxChats: 2,
    concurrency: [1, 1.35],
    scheduled: [null, 4, 10],
  };

  it('answers 403 to agents and 401 without a session', async () => {
    const { client } = await signedInUser(inbox, 'agent');
    expect((await client.get('/api/inbox/supervisor/planning/arrivals/chat')).status).toBe(403);
    expect((await client.post('/api/inbox/supervisor/planning/plan', request)).status).toBe(403);
    await client.delete('/api/inbox/session');
    client.cookie = undefined;
    expect((await client.post('/api/inbox/supervisor/planning/plan', request)).status).toBe(401);
  });

  it('gives a supervisor the queue’s recorded arrivals and a plan, and names bad fields', async () => {
    const { client } = await signedInUser(inbox, 'supervisor');
    const history = await client.get('/api/inbox/supervisor/planning/arrivals/chat?weeks=2');
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({
      queueId: 'chat',
      weeks: 2,
      meanHandleSeconds: 240,
      timeZone: 'Europe/Paris',
      concurrency: { factors: [1, 1.3] },
    });
    expect(history.body.arrivalsByHour).toHaveLength(168);
    expect((await client.get('/api/inbox/supervisor/planning/arrivals/nope')).status).toBe(404);
    expect((await client.get('/api/inbox/supervisor/planning/arrivals/chat?weeks=20')).status).toBe(400);

    const plan = await client.post('/api/inbox/supervisor/planning/plan', request);
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ method: 'simulation', timeZone: 'Europe/Paris' });
    expect(inbox.routing.plans.at(-1)).toMatchObject({
      workspaceId: DEFAULT_WORKSPACE_ID,
      input: { timeZone: 'Europe/Paris' },
    });
    const { intervals } = plan.body as StaffingPlanView;
    expect(intervals.map((i) => [i.agentsNeeded, i.scheduled])).toEqual([
      [0, 0],
      [5, 4],
      [12, 10],
    ]);

    const bad = await client.post('/api/inbox/supervisor/planning/plan', {
      ...request,
      maxChats: 'two',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('maxChats');
  });
});
