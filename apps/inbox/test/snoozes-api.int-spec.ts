import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import { InMemoryHistory, InMemoryRouting, testRunId, waitFor } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

/**
 * Snoozing over HTTP, on the real PostgreSQL and Kafka: out of the open lists until a time or the
 * customer's next message (published on the real broker, as history does), kept across a restart.
 */
describe('snoozed conversations', () => {
  const topicPrefix = `${testRunId()}-inbox-snooze-${randomBytes(3).toString('hex')}.`;
  const history = new InMemoryHistory();
  const routing = new InMemoryRouting(history);
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_snooze', { topicPrefix, ports: { history, routing } });
  });
  afterAll(async () => {
    await inbox?.close();
    // Restarted on the first app's database, which the second app's close leaves in place.
    await inbox?.database.drop();
  });

  const ids = (response: { body: { items: { id: string }[] } }) => response.body.items.map((c) => c.id);

  async function assignedConversation(agentId: string) {
    const customer = history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Snoozy' });
    const conversation = history.addConversation(customer, { channel: 'web' });
    await history.receive(conversation.id, 'first', 'web');
    await routing.transfer(DEFAULT_WORKSPACE_ID, conversation.id, { agentId });
    return conversation;
  }

  it('hides a conversation until its customer writes, even while the inbox was down, and keeps it across a restart', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const conversation = await assignedConversation(agent.id);
    const quiet = await assignedConversation(agent.id);
    const mine = () => agent.client.get('/api/inbox/conversations?view=mine');
    expect(ids(await mine())).toContain(conversation.id);

    const snoozed = await agent.client.post(`/api/inbox/conversations/${conversation.id}/snooze`, {
      until: null,
    });
    expect(snoozed).toMatchObject({ status: 201, body: { conversationId: conversation.id, until: null } });
    await agent.client.post(`/api/inbox/conversations/${quiet.id}/snooze`, { until: null });
    expect(ids(await mine())).not.toContain(conversation.id);
    const listed = await agent.client.get('/api/inbox/snoozes');
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: conversation.id,
          snooze: expect.objectContaining({ until: null, snoozedBy: agent.id }),
        }),
      ]),
    );
    expect((await agent.client.get(`/api/inbox/conversations/${conversation.id}`)).body.snooze).toMatchObject(
      {
        until: null,
      },
    );

    // The inbox stops; the customer writes meanwhile (history publishes on the real broker).
    await inbox.app.close();
    const publisher = new KafkaEventBus({
      brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
      clientId: 'inbox-snooze-publisher',
      topicPrefix,
      partitions: 2,
      replicationFactor: 1,
    });
    history.bus = publisher;
    routing.bus = publisher;
    try {
      await history.receive(conversation.id, 'hello again', 'web');
    } finally {
      await publisher.close();
    }

    // Back up on the same database and topics: woken by the message it never saw live; the other
    // snooze is still there.
    inbox = await startInboxTestApp('inbox_snooze', {
      topicPrefix,
      database: inbox.database,
      ports: { history, routing },
    });
    history.bus = inbox.bus;
    routing.bus = inbox.bus;
    const get = (path: string) =>
      fetch(`${inbox.url}/api/inbox${path}`, { headers: { cookie: agent.client.cookie! } }).then(async (r) =>
        ((await r.json()) as { items: { id: string }[] }).items.map((c) => c.id),
      );
    await waitFor(async () => (await get('/conversations?view=mine')).includes(conversation.id), {
      timeoutMs: 30_000,
      what: 'the conversation woken by the message sent while the inbox was down',
    });
    expect(await get('/conversations?view=mine')).not.toContain(quiet.id);
    expect(await get('/snoozes')).toEqual([quiet.id]);
  });

  it('wakes a conversation at its time, and lets it be woken by hand', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const conversation = await assignedConversation(agent.id);
    const until = new Date(Date.now() + 2_000).toISOString();
    const snoozed = await agent.client.post(`/api/inbox/conversations/${conversation.id}/snooze`, { until });
    expect(snoozed.body.until).toBe(until);
    const mine = async () => ids(await agent.client.get('/api/inbox/conversations?view=mine'));
    expect(await mine()).not.toContain(conversation.id);
    await waitFor(async () => (await mine()).includes(conversation.id), { what: 'woken at its time' });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));

    await agent.client.post(`/api/inbox/conversations/${conversation.id}/snooze`, {
      until: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(await mine()).not.toContain(conversation.id);
    expect((await agent.client.delete(`/api/inbox/conversations/${conversation.id}/snooze`)).status).toBe(
      204,
    );
    expect(await mine()).toContain(conversation.id);
  });

  it('refuses times past or far, other agents’ conversations and other workspaces', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const other = await signedInUser(inbox, 'agent');
    const supervisor = await signedInUser(inbox, 'supervisor');
    const outsider = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });
    const conversation = await assignedConversation(agent.id);
    const path = `/api/inbox/conversations/${conversation.id}/snooze`;

    expect((await agent.client.post(path, { until: new Date(Date.now() - 1000).toISOString() })).status).toBe(
      400,
    );
    const farAway = new Date(Date.now() + 400 * 24 * 3600_000).toISOString();
    expect((await agent.client.post(path, { until: farAway })).status).toBe(400);
    expect((await agent.client.post(path, {})).status).toBe(400);
    expect(
      (await agent.client.post('/api/inbox/conversations/not-a-uuid/snooze', { until: null })).status,
    ).toBe(400);
    expect((await other.client.post(path, { until: null })).status).toBe(403);
    expect((await other.client.delete(path)).status).toBe(403);
    expect((await outsider.client.post(path, { until: null })).status).toBe(404);
    // A supervisor may; the agent still sees it under Snoozed (theirs), the other agent does not.
    expect((await supervisor.client.post(path, { until: null })).status).toBe(201);
    expect(ids(await agent.client.get('/api/inbox/snoozes'))).toContain(conversation.id);
    expect(ids(await other.client.get('/api/inbox/snoozes'))).not.toContain(conversation.id);
    expect(ids(await outsider.client.get('/api/inbox/snoozes'))).toEqual([]);
  });
});
