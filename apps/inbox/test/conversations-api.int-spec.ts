import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

/**
 * The inbox API over the HistoryApi / RoutingApi ports (doubles until the services merge), its own
 * state (read positions, canned responses) on the real PostgreSQL, roles and workspace scoping.
 */
describe('inbox conversations API', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_api');
  });
  afterAll(async () => {
    await inbox?.close();
  });

  const ws = DEFAULT_WORKSPACE_ID;

  async function customerWithTwoChannels() {
    const customer = inbox.history.addCustomer(ws, {
      name: 'Grace',
      attributes: { plan: 'pro' },
      channels: ['sms', 'web'],
      identities: [
        {
          id: randomUUID(),
          kind: 'phone',
          value: '+14155550111',
          verified: true,
          optedOut: false,
          createdAt: '',
        },
      ],
    });
    const earlier = inbox.history.addConversation(customer, { status: 'resolved', channel: 'web' });
    await inbox.history.receive(
      earlier.id,
      'last week, on the web',
      'web',
      new Date(Date.now() - 7 * 86_400_000),
    );
    const current = inbox.history.addConversation(customer);
    await inbox.history.receive(current.id, 'hello from the widget', 'web', new Date(Date.now() - 60_000));
    await inbox.history.receive(current.id, 'and now by text', 'sms');
    return { customer, earlier, current };
  }

  it('lists Mine, Unassigned and (for supervisors) All, with filters and unread counts', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const other = await signedInUser(inbox, 'agent');
    const supervisor = await signedInUser(inbox, 'supervisor');
    const { current } = await customerWithTwoChannels();
    const { current: theirs } = await customerWithTwoChannels();
    inbox.history.conversations.get(theirs.id)!.assigneeId = other.id;
    const { current: mine } = await customerWithTwoChannels();
    inbox.history.conversations.get(mine.id)!.assigneeId = agent.id;

    const unassigned = await agent.client.get('/api/inbox/conversations?view=unassigned');
    expect(unassigned.status).toBe(200);
    const ids = (unassigned.body.items as { id: string }[]).map((c) => c.id);
    expect(ids).toContain(current.id);
    expect(ids).not.toContain(theirs.id);
    expect(ids).not.toContain(mine.id);
    const item = (unassigned.body.items as { id: string; unread: number }[]).find(
      (c) => c.id === current.id,
    )!;
    expect(item.unread).toBe(2);

    const own = await agent.client.get('/api/inbox/conversations?view=mine');
    expect((own.body.items as { id: string }[]).map((c) => c.id)).toEqual([mine.id]);
    expect((await agent.client.get('/api/inbox/conversations?view=all')).status).toBe(403);
    const all = await supervisor.client.get('/api/inbox/conversations?view=all&channel=sms');
    expect((all.body.items as { id: string }[]).map((c) => c.id)).toEqual(
      expect.arrayContaining([current.id, theirs.id, mine.id]),
    );
    const webOnly = await supervisor.client.get('/api/inbox/conversations?view=all&channel=web');
    expect((webOnly.body.items as { id: string }[]).map((c) => c.id)).not.toContain(current.id);
    const bad = await agent.client.get('/api/inbox/conversations?view=everything&status=closed');
    expect(bad.status).toBe(400);
    expect((bad.body.error.fieldViolations as { field: string }[]).map((v) => v.field).sort()).toEqual([
      'status.0',
      'view',
    ]);

    // Opening reads it; a new message makes one unread again.
    await agent.client.get(`/api/inbox/conversations/${current.id}`);
    const afterOpen = await agent.client.get('/api/inbox/conversations?view=unassigned');
    expect(
      (afterOpen.body.items as { id: string; unread: number }[]).find((c) => c.id === current.id)!.unread,
    ).toBe(0);
    await inbox.history.receive(current.id, 'are you there?', 'sms');
    const afterNew = await agent.client.get('/api/inbox/conversations?view=unassigned');
    expect(
      (afterNew.body.items as { id: string; unread: number }[]).find((c) => c.id === current.id)!.unread,
    ).toBe(1);
    // A stale tab's older position changes nothing; reading up to the new message moves it on.
    const unread = async () =>
      (
        (await agent.client.get('/api/inbox/conversations?view=unassigned')).body.items as {
          id: string;
          unread: number;
        }[]
      ).find((c) => c.id === current.id)!.unread;
    const stale = await agent.client.post(`/api/inbox/conversations/${current.id}/read`, { upToSequence: 1 });
    expect(stale.status).toBe(204);
    expect(await unread()).toBe(1);
    await agent.client.post(`/api/inbox/conversations/${current.id}/read`, { upToSequence: 3 });
    expect(await unread()).toBe(0);
    await inbox.history.receive(current.id, 'hello?', 'sms');
    expect(await unread()).toBe(1);
    // Read positions are per agent.
    const otherView = await supervisor.client.get('/api/inbox/conversations?view=unassigned');
    expect(
      (otherView.body.items as { id: string; unread: number }[]).find((c) => c.id === current.id)!.unread,
    ).toBe(4);
  });

  it("opens a conversation with the customer's timeline across channels and conversations", async () => {
    const agent = await signedInUser(inbox, 'agent');
    const { customer, current } = await customerWithTwoChannels();
    inbox.history.suggestions.push({
      id: randomUUID(),
      customerId: customer.id,
      candidateCustomerId: randomUUID(),
      identity: { kind: 'email', value: 'grace@example.test' },
      createdAt: new Date().toISOString(),
    });
    const view = await agent.client.get(`/api/inbox/conversations/${current.id}`);
    expect(view.status).toBe(200);
    expect(view.body.conversation.id).toBe(current.id);
    expect(view.body.customer).toMatchObject({ name: 'Grace', attributes: { plan: 'pro' } });
    expect(view.body.customer.identities[0].value).toBe('+14155550111');
    expect(
      (view.body.timeline.items as { text: string; channel: string }[]).map((m) => [m.channel, m.text]),
    ).toEqual([
      ['sms', 'and now by text'],
      ['web', 'hello from the widget'],
      ['web', 'last week, on the web'],
    ]);
    expect(view.body.mergeSuggestions).toHaveLength(1);
  });

  it('replies on the last channel or a chosen one, once per idempotency key, and keeps notes internal', async () => {
    const agent = await signedInUser(inbox, 'agent', { name: 'Alan' });
    const { current } = await customerWithTwoChannels();
    const key = randomUUID();
    const first = await agent.client.post(`/api/inbox/conversations/${current.id}/messages`, {
      idempotencyKey: key,
      text: 'Hi Grace!',
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ channel: 'sms', created: true });
    const again = await agent.client.post(`/api/inbox/conversations/${current.id}/messages`, {
      idempotencyKey: key,
      text: 'Hi Grace!',
    });
    expect(again.body).toMatchObject({ messageId: first.body.messageId, created: false });
    const web = await agent.client.post(`/api/inbox/conversations/${current.id}/messages`, {
      idempotencyKey: randomUUID(),
      text: 'Also here',
      channel: 'web',
    });
    expect(web.body.channel).toBe('web');
    const note = await agent.client.post(`/api/inbox/conversations/${current.id}/messages`, {
      idempotencyKey: randomUUID(),
      text: 'VIP customer',
      internalNote: true,
    });
    expect(note.body.channel).toBeNull();
    const sent = inbox.history.messages.filter(
      (m) => m.conversationId === current.id && m.direction !== 'in',
    );
    expect(sent.map((m) => [m.direction, m.channel, m.text, m.sender.name])).toEqual([
      ['out', 'sms', 'Hi Grace!', 'Alan'],
      ['out', 'web', 'Also here', 'Alan'],
      ['note', null, 'VIP customer', 'Alan'],
    ]);
    const empty = await agent.client.post(`/api/inbox/conversations/${current.id}/messages`, {
      idempotencyKey: randomUUID(),
      text: '   ',
    });
    expect(empty.status).toBe(400);
  });

  it('asks a web customer for card details through the secure form, on web only', async () => {
    const agent = await signedInUser(inbox, 'agent', { name: 'Alan' });
    const { current } = await customerWithTwoChannels();
    const ask = (extra: object) =>
      agent.client.post(`/api/inbox/conversations/${current.id}/messages`, {
        idempotencyKey: randomUUID(),
        text: 'Please enter your card details in the secure form below.',
        form: { kind: 'card' },
        ...extra,
      });
    const asked = await ask({ channel: 'web' });
    expect(asked.status).toBe(201);
    const sent = [...inbox.history.sent.values()].find((s) => s.result.messageId === asked.body.messageId);
    expect(sent?.input.form).toEqual({ kind: 'card' });
    // The conversation's last channel is SMS: no form there, nor on a note, nor of another kind.
    expect((await ask({})).status).toBeGreaterThanOrEqual(400);
    expect((await ask({ internalNote: true })).status).toBe(400);
    expect((await ask({ channel: 'web', form: { kind: 'bank' } })).status).toBe(400);
  });

  it('lets an agent act only on their own or unassigned conversations; supervisors on any', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const other = await signedInUser(inbox, 'agent');
    const supervisor = await signedInUser(inbox, 'supervisor');
    const { current } = await customerWithTwoChannels();
    inbox.history.conversations.get(current.id)!.assigneeId = other.id;
    const reply = { idempotencyKey: randomUUID(), text: 'mine now' };
    const refused = await agent.client.post(`/api/inbox/conversations/${current.id}/messages`, reply);
    expect(refused.status).toBe(403);
    expect(
      (await agent.client.post(`/api/inbox/conversations/${current.id}/status`, { status: 'resolved' }))
        .status,
    ).toBe(403);
    expect(
      (await supervisor.client.post(`/api/inbox/conversations/${current.id}/messages`, reply)).status,
    ).toBe(201);
    const resolved = await other.client.post(`/api/inbox/conversations/${current.id}/status`, {
      status: 'resolved',
    });
    expect(resolved.body.status).toBe('resolved');
    const reopened = await other.client.post(`/api/inbox/conversations/${current.id}/status`, {
      status: 'open',
    });
    expect(reopened.body.status).toBe('open');
    // A supervisor changes the status of anyone's conversation.
    const pending = await supervisor.client.post(`/api/inbox/conversations/${current.id}/status`, {
      status: 'pending',
    });
    expect(pending.body).toMatchObject({ status: 'pending', assigneeId: other.id });
  });

  it('transfers to an agent or a queue, answers offers, and sets own presence', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const colleague = await signedInUser(inbox, 'agent');
    const { current } = await customerWithTwoChannels();
    inbox.history.conversations.get(current.id)!.assigneeId = agent.id;
    const unknown = await agent.client.post(`/api/inbox/conversations/${current.id}/transfer`, {
      agentId: randomUUID(),
    });
    expect(unknown.status).toBe(404);
    const both = await agent.client.post(`/api/inbox/conversations/${current.id}/transfer`, {
      agentId: colleague.id,
      queueId: 'q',
    });
    expect(both.status).toBe(400);
    const moved = await agent.client.post(`/api/inbox/conversations/${current.id}/transfer`, {
      agentId: colleague.id,
      note: 'billing question',
    });
    expect(moved.status).toBe(202);
    expect(inbox.history.conversations.get(current.id)!.assigneeId).toBe(colleague.id);
    expect((await inbox.routing.getAgent(ws, colleague.id)).load).toBe(1);

    const { current: offered } = await customerWithTwoChannels();
    expect(
      (await agent.client.post(`/api/inbox/conversations/${offered.id}/offer`, { accepted: true })).status,
    ).toBe(202);
    expect(inbox.history.conversations.get(offered.id)!.assigneeId).toBe(agent.id);

    const away = await agent.client.put('/api/inbox/presence', { presence: 'away' });
    expect(away.body.presence).toBe('away');
    expect(inbox.routing.presenceCalls.at(-1)).toEqual({
      agentId: agent.id,
      presence: 'away',
      reason: 'agent',
    });
    expect((await agent.client.put('/api/inbox/presence', { presence: 'busy' })).status).toBe(400);
  });

  it('shows supervisors queues, agents and routing decisions; admins edit queues and agents', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const supervisor = await signedInUser(inbox, 'supervisor');
    const admin = await signedInUser(inbox, 'admin');
    const queue = await admin.client.put('/api/inbox/admin/queues', {
      name: 'Billing',
      steps: [{ expression: 'billing >= 3', expiresAfterSeconds: 60 }],
    });
    expect(queue.status).toBe(200);
    expect((await supervisor.client.put('/api/inbox/admin/queues', { name: 'Nope' })).status).toBe(403);
    const stats = await supervisor.client.get('/api/inbox/supervisor/queue-stats');
    expect((stats.body.queues as { name: string }[]).map((q) => q.name)).toContain('Billing');
    expect((await agent.client.get('/api/inbox/supervisor/queue-stats')).status).toBe(403);
    const agents = await agent.client.get('/api/inbox/agents');
    expect((agents.body.agents as { agentId: string }[]).map((a) => a.agentId)).toContain(agent.id);

    const skills = await admin.client.put(`/api/inbox/admin/agents/${agent.id}`, {
      skills: [{ skill: 'Billing', proficiency: 4 }],
      defaultChannelCapacity: 3,
    });
    expect(skills.body).toMatchObject({
      skills: [{ skill: 'billing', proficiency: 4 }],
      defaultChannelCapacity: 3,
    });
    const outsider = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });
    expect((await admin.client.put(`/api/inbox/admin/agents/${outsider.id}`, { skills: [] })).status).toBe(
      404,
    );

    const { current } = await customerWithTwoChannels();
    const decision = await supervisor.client.get(`/api/inbox/conversations/${current.id}/decision`);
    expect(decision.body).toMatchObject({ conversationId: current.id, state: 'waiting' });
    expect((await agent.client.get(`/api/inbox/conversations/${current.id}/decision`)).status).toBe(403);
  });

  it("reads another workspace's conversations and customers as not found", async () => {
    const outsider = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });
    const { customer, current } = await customerWithTwoChannels();
    const paths = [
      ['GET', `/api/inbox/conversations/${current.id}`],
      ['GET', `/api/inbox/conversations/${current.id}/decision`],
      ['GET', `/api/inbox/customers/${customer.id}/timeline`],
      [
        'POST',
        `/api/inbox/conversations/${current.id}/messages`,
        { idempotencyKey: randomUUID(), text: 'x' },
      ],
      ['POST', `/api/inbox/conversations/${current.id}/status`, { status: 'resolved' }],
      ['POST', `/api/inbox/conversations/${current.id}/read`, { upToSequence: 1 }],
      ['POST', `/api/inbox/conversations/${current.id}/offer`, { accepted: true }],
      ['PATCH', `/api/inbox/customers/${customer.id}`, { name: 'Mallory' }],
    ] as const;
    for (const [method, path, body] of paths) {
      const response = await outsider.client.request(method, path, body);
      expect([path, response.status]).toEqual([path, 404]);
    }
    const list = await outsider.client.get('/api/inbox/conversations?view=all');
    expect(list.body.items).toEqual([]);
    expect(inbox.history.customers.get(customer.id)!.name).toBe('Grace');
  });

  it('merges a suggested customer into the one on screen', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const { customer } = await customerWithTwoChannels();
    const duplicate = inbox.history.addCustomer(ws, {
      identities: [
        {
          id: randomUUID(),
          kind: 'email',
          value: 'grace@example.test',
          verified: false,
          optedOut: false,
          createdAt: '',
        },
      ],
    });
    const merged = await agent.client.post(`/api/inbox/customers/${customer.id}/merge`, {
      sourceCustomerId: duplicate.id,
    });
    expect(merged.status).toBe(201);
    expect(merged.body).toMatchObject({ targetCustomerId: customer.id, sourceCustomerId: duplicate.id });
    expect(inbox.history.customers.get(customer.id)!.identities.map((i) => i.value)).toContain(
      'grace@example.test',
    );
  });

  it('keeps canned responses with shortcuts, unique per workspace', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const supervisor = await signedInUser(inbox, 'supervisor');
    const created = await supervisor.client.post('/api/inbox/canned-responses', {
      shortcut: 'Refund',
      title: 'Refund policy',
      body: 'Refunds take 5 days.',
    });
    expect(created.body).toMatchObject({ shortcut: 'refund' });
    const taken = await supervisor.client.post('/api/inbox/canned-responses', {
      shortcut: 'refund',
      title: 'x',
      body: 'y',
    });
    expect(taken.status).toBe(409);
    expect(
      (await agent.client.post('/api/inbox/canned-responses', { shortcut: 'a', title: 'a', body: 'a' }))
        .status,
    ).toBe(403);
    const list = await agent.client.get('/api/inbox/canned-responses');
    expect((list.body.cannedResponses as { shortcut: string }[]).map((c) => c.shortcut)).toContain('refund');
    const bad = await supervisor.client.post('/api/inbox/canned-responses', {
      shortcut: 'no spaces',
      title: 'x',
      body: 'y',
    });
    expect(bad.status).toBe(400);
  });
});
