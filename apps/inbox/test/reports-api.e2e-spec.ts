import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { InboxClient, InboxResponse } from './inbox-client.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';
import {
  type ReportsHarness,
  conversationEvents,
  publishScriptedDays,
  startReportsHarness,
} from './reports-harness.fixture.js';

const OTHER_WORKSPACE = randomUUID();

interface Row {
  key: string;
  values: Record<string, number | null>;
}

/**
 * `/api/inbox/reports` over the real reporting app (Kafka, PostgreSQL, internal RPC): figures of
 * events published as history and routing publish them; every bad input a 400 naming its field;
 * nothing of another workspace, not even by its ids; and the workspace's clock handed to reporting
 * when an admin changes it, checked once on first use, not on every request (ADR 0103).
 */
describe('inbox reports API', () => {
  let h: ReportsHarness;
  let supervisor: { id: string; client: InboxClient };
  let admin: { id: string; client: InboxClient };
  let agent: { id: string };
  let otherSupervisor: { client: InboxClient };
  let otherAgent: { id: string };
  let vip: { id: string };
  let theirLabel: { id: string };

  const days = (client: InboxClient, extra = '') =>
    client.get(
      `/api/inbox/reports?metrics=conversations,first_response_time,abandoned&dimension=day&from=2026-03-02&to=2026-03-04${extra}`,
    );
  const rows = (response: InboxResponse) => (response.body as { rows: Row[] }).rows;

  beforeAll(async () => {
    h = await startReportsHarness('inbox_reports_api');
    supervisor = await signedInUser(h.inbox, 'supervisor');
    admin = await signedInUser(h.inbox, 'admin');
    agent = await signedInUser(h.inbox, 'agent');
    otherSupervisor = await signedInUser(h.inbox, 'supervisor', { workspaceId: OTHER_WORKSPACE });
    otherAgent = await signedInUser(h.inbox, 'agent', { workspaceId: OTHER_WORKSPACE });
    await h.inbox.routing.upsertQueue(DEFAULT_WORKSPACE_ID, { id: 'sales', name: 'Sales' });
    await h.inbox.routing.upsertQueue(OTHER_WORKSPACE, { id: 'theirs', name: 'Theirs' });
    vip = await h.inbox.history.createLabel(DEFAULT_WORKSPACE_ID, { name: 'VIP', colour: '#aa0000' });
    theirLabel = await h.inbox.history.createLabel(OTHER_WORKSPACE, { name: 'VIP', colour: '#aa0000' });
    // The other workspace: one SMS on Monday, answered in 30 s, with its own label.
    await h.inbox.bus.emit(
      conversationEvents(OTHER_WORKSPACE, {
        channel: 'sms',
        queueId: 'theirs',
        agentId: otherAgent.id,
        openedAt: '2026-03-02T09:15:00Z',
        replyAfterSeconds: 30,
        labelIds: [theirLabel.id],
      }),
    );
    // Monday: an SMS answered in 40 s, a web chat (VIP) in 120 s; Tuesday: an SMS left unanswered.
    await publishScriptedDays(h, DEFAULT_WORKSPACE_ID, agent.id, {
      webChatAt: '2026-03-02T10:00:00Z',
      webChatLabels: [vip.id],
    });
    const theirs = `&labelId=${theirLabel.id}`;
    await waitFor(
      async () => rows(await days(otherSupervisor.client, theirs))[0]?.values.first_response_time === 30,
      {
        what: 'the reporting app to read the other workspace (its label too)',
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    // The inbox's first report: it checks the workspace's clock with reporting (ADR 0103).
    expect((await days(supervisor.client)).status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
  });

  it('gives the figures by day, by queue and channel, and by agent', async () => {
    expect(rows(await days(supervisor.client))).toEqual([
      { key: '2026-03-02', values: { conversations: 2, first_response_time: 80, abandoned: 0 } },
      { key: '2026-03-03', values: { conversations: 1, first_response_time: null, abandoned: 1 } },
    ]);
    expect(rows(await days(supervisor.client, '&queueId=sales'))).toEqual([
      { key: '2026-03-02', values: { conversations: 1, first_response_time: 40, abandoned: 0 } },
      { key: '2026-03-03', values: { conversations: 1, first_response_time: null, abandoned: 1 } },
    ]);
    expect(rows(await days(supervisor.client, '&channel=web'))).toEqual([
      { key: '2026-03-02', values: { conversations: 1, first_response_time: 120, abandoned: 0 } },
    ]);
    // The label the web chat carries now: its figures alone (ADR 0123).
    expect(rows(await days(supervisor.client, `&labelId=${vip.id}`))).toEqual([
      { key: '2026-03-02', values: { conversations: 1, first_response_time: 120, abandoned: 0 } },
    ]);
    expect(rows(await days(supervisor.client, `&labelId=${vip.id}&channel=sms`))).toEqual([]);
    const byAgent = await supervisor.client.get(
      `/api/inbox/reports?metrics=handled&dimension=agent&from=2026-03-02&to=2026-03-04&agentId=${agent.id}`,
    );
    expect(byAgent.status).toBe(200);
    expect(rows(byAgent)).toEqual([{ key: agent.id, values: { handled: 3 } }]);
    // Agents see no reports; the catalog names what the page offers.
    expect(
      (await (await signedInUser(h.inbox, 'agent')).client.get('/api/inbox/reports/catalog')).status,
    ).toBe(403);
    const catalog = await supervisor.client.get('/api/inbox/reports/catalog');
    expect(catalog.body).toMatchObject({ dimensions: expect.arrayContaining(['hour', 'day', 'week']) });
  });

  it('answers 400 naming the field for a bad range, metric, dimension or filter', async () => {
    const base = '/api/inbox/reports?metrics=conversations&dimension=day';
    const cases: [string, string][] = [
      [`${base}&from=2026-03-04&to=2026-03-02`, 'to'],
      [`${base}&from=2026-02-30&to=2026-03-02`, 'from'],
      [`${base}&from=yesterday&to=2026-03-02`, 'from'],
      [`${base}&from=2024-01-01&to=2026-03-02`, 'to'],
      [
        `/api/inbox/reports?metrics=conversations,pizzas&dimension=day&from=2026-03-02&to=2026-03-03`,
        'metrics.1',
      ],
      [
        `/api/inbox/reports?metrics=conversations&dimension=fortnight&from=2026-03-02&to=2026-03-03`,
        'dimension',
      ],
      [`${base}&from=2026-03-02&to=2026-03-03&channel=carrier-pigeon`, 'channel'],
      [`${base}&from=2026-03-02&to=2026-03-03&serviceLevelTarget=45`, 'serviceLevelTarget'],
      [`${base}&from=2026-03-02&to=2026-03-03&workspaceId=${OTHER_WORKSPACE}`, '(body)'],
      [`${base}&from=2026-03-02&to=2026-03-03&labelId=${randomUUID()}`, 'labelId'],
      [`${base}&from=2026-03-02&to=2026-03-03&labelId=not-a-label`, 'labelId'],
      [`${base}&from=2026-03-02&to=2026-03-03&agentId=nobody`, 'agentId'],
      [
        `/api/inbox/reports?metrics=handled&dimension=agent&from=2026-03-02&to=2026-03-03&labelId=${vip.id}`,
        'dimension',
      ],
      [
        `/api/inbox/reports?metrics=handled,conversations&dimension=agent&from=2026-03-02&to=2026-03-03`,
        'metrics',
      ],
    ];
    for (const [url, field] of cases) {
      const response = await supervisor.client.get(url);
      expect({ url, status: response.status }).toEqual({ url, status: 400 });
      const violations = (response.body as { error: { fieldViolations: { field: string }[] } }).error
        .fieldViolations;
      expect({ url, fields: violations.map((v) => v.field) }).toEqual({
        url,
        fields: expect.arrayContaining([field]) as unknown,
      });
    }
  });

  it('keeps each workspace to its own figures, and refuses the other workspace’s ids', async () => {
    expect(rows(await days(otherSupervisor.client))).toEqual([
      { key: '2026-03-02', values: { conversations: 1, first_response_time: 30, abandoned: 0 } },
    ]);
    const theirQueue = await days(supervisor.client, '&queueId=theirs');
    expect(theirQueue.status).toBe(400);
    expect(theirQueue.body).toMatchObject({ error: { fieldViolations: [{ field: 'queueId' }] } });
    const theirAgent = await supervisor.client.get(
      `/api/inbox/reports?metrics=handled&dimension=agent&from=2026-03-02&to=2026-03-04&agentId=${otherAgent.id}`,
    );
    expect(theirAgent.status).toBe(400);
    expect(theirAgent.body).toMatchObject({ error: { fieldViolations: [{ field: 'agentId' }] } });
    const theirLabelReport = await days(supervisor.client, `&labelId=${theirLabel.id}`);
    expect(theirLabelReport.status).toBe(400);
    expect(theirLabelReport.body).toMatchObject({ error: { fieldViolations: [{ field: 'labelId' }] } });
    expect(rows(await days(otherSupervisor.client, `&labelId=${theirLabel.id}`))).toEqual([
      { key: '2026-03-02', values: { conversations: 1, first_response_time: 30, abandoned: 0 } },
    ]);
    // By agent, only this workspace's agents.
    const agents = await supervisor.client.get(
      '/api/inbox/reports?metrics=handled&dimension=agent&from=2026-03-02&to=2026-03-04',
    );
    expect(rows(agents).map((r) => r.key)).toEqual([agent.id]);
    expect(JSON.stringify(agents.body)).not.toContain(otherAgent.id);
  });

  it('filters conversation figures by agent: the conversations ever assigned to them (ADR 0123)', async () => {
    // A second agent of the workspace took one more Monday chat, answered in 10 s.
    const second = await signedInUser(h.inbox, 'agent');
    await h.inbox.bus.emit(
      conversationEvents(DEFAULT_WORKSPACE_ID, {
        channel: 'web',
        queueId: 'support',
        agentId: second.id,
        openedAt: '2026-03-02T12:00:00Z',
        replyAfterSeconds: 10,
      }),
    );
    await waitFor(async () => rows(await days(supervisor.client))[0]?.values.conversations === 3, {
      what: 'the second agent’s chat read',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(rows(await days(supervisor.client, `&agentId=${agent.id}`))).toEqual([
      { key: '2026-03-02', values: { conversations: 2, first_response_time: 80, abandoned: 0 } },
      { key: '2026-03-03', values: { conversations: 1, first_response_time: null, abandoned: 1 } },
    ]);
    expect(rows(await days(supervisor.client, `&agentId=${second.id}`))).toEqual([
      { key: '2026-03-02', values: { conversations: 1, first_response_time: 10, abandoned: 0 } },
    ]);
    // Both filters: the agent's conversations that carry the label.
    expect(rows(await days(supervisor.client, `&agentId=${second.id}&labelId=${vip.id}`))).toEqual([]);
    expect(
      rows(
        await supervisor.client.get(
          `/api/inbox/reports?metrics=handled&dimension=agent&from=2026-03-02&to=2026-03-04&agentId=${second.id}`,
        ),
      ),
    ).toEqual([{ key: second.id, values: { handled: 1 } }]);
  });

  it('hands the clock to reporting when an admin changes it, not on every report', async () => {
    const before = { ...h.calls };
    await days(supervisor.client);
    await days(supervisor.client);
    // Confirmed at the first report (in beforeAll): reports cost no clock round trip since.
    expect(h.calls.getWorkspaceClock).toBe(before.getWorkspaceClock);
    expect(h.calls.setWorkspaceClock).toBe(before.setWorkspaceClock);

    // Mondays 09:00–10:00 in New York (UTC-5 until 8 March): 09:00 UTC is 04:00 there.
    const patched = await admin.client.patch('/api/inbox/admin/workspace', {
      timeZone: 'America/New_York',
      businessHours: { mon: [{ from: '04:00', to: '05:00' }] },
    });
    expect(patched.status).toBe(200);
    expect(h.calls.setWorkspaceClock).toBe(before.setWorkspaceClock + 1);
    expect(await h.reporting.getWorkspaceClock(DEFAULT_WORKSPACE_ID)).toEqual({
      timeZone: 'America/New_York',
      businessHours: { mon: [{ from: '04:00', to: '05:00' }] },
    });
    const hours = await supervisor.client.get(
      '/api/inbox/reports?metrics=conversations&dimension=hour&from=2026-03-02&to=2026-03-03',
    );
    // 09:00, 10:00 and the second agent's 12:00 (UTC).
    expect(rows(hours)).toEqual([
      { key: '2026-03-02T04:00', values: { conversations: 1 } },
      { key: '2026-03-02T05:00', values: { conversations: 1 } },
      { key: '2026-03-02T07:00', values: { conversations: 1 } },
    ]);
    expect((hours.body as { timeZone: string }).timeZone).toBe('America/New_York');
    const business = await days(supervisor.client, '&time=business');
    expect(rows(business)[0]).toEqual({
      key: '2026-03-02',
      values: { conversations: 1, first_response_time: 40, abandoned: 0 },
    });
    expect(h.calls.getWorkspaceClock).toBe(before.getWorkspaceClock);
  });

  it('checks the clock at a workspace’s first report, and hands it over when reporting’s differs', async () => {
    // A workspace whose zone was set while reporting held another (a store rebuilt meanwhile).
    const workspaceId = randomUUID();
    const fresh = await signedInUser(h.inbox, 'supervisor', { workspaceId });
    const db = new pg.Client({ connectionString: h.inbox.database.url });
    await db.connect();
    await db.query(`UPDATE inbox.workspaces SET time_zone = 'Europe/Paris' WHERE id = $1`, [workspaceId]);
    await db.end();
    await h.reporting.setWorkspaceClock(workspaceId, { timeZone: 'Asia/Tokyo', businessHours: null });
    const before = { ...h.calls };
    const first = await days(fresh.client);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ timeZone: 'Europe/Paris', time: 'calendar', rows: [] });
    expect(h.calls.getWorkspaceClock).toBe(before.getWorkspaceClock + 1);
    expect(h.calls.setWorkspaceClock).toBe(before.setWorkspaceClock + 1);
    expect(await h.reporting.getWorkspaceClock(workspaceId)).toEqual({
      timeZone: 'Europe/Paris',
      businessHours: null,
    });
    await days(fresh.client);
    expect(h.calls.getWorkspaceClock).toBe(before.getWorkspaceClock + 1);
  });
});
