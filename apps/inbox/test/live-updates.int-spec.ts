import { DEFAULT_WORKSPACE_ID, ParticipantActivityV1, Topics } from '@switchboard/contracts';
import type { ConsumedEvent } from '@switchboard/messaging';
import { testRunId, waitFor } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { LiveEventsConsumer } from '../src/live/live-events.consumer.js';
import { LiveService, SILENT_SOCKET_MS } from '../src/live/live.service.js';
import type { SnoozedConversations } from '../src/live/snoozed-conversations.js';
import { SnoozesService } from '../src/snoozes/snoozes.service.js';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

interface Frame {
  type: string;
  topic?: string;
  event?: { type: string; payload: Record<string, unknown> };
}

type Socket = Awaited<ReturnType<typeof openSocket>>;

/** A socket that records what it receives, and how it closed. */
async function openSocket(url: string, headers: Record<string, string>) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws/inbox`, { headers });
  const frames: Frame[] = [];
  let closed: { code: number; reason: string } | undefined;
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Frame));
  socket.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, frames, closed: () => closed };
}

/**
 * `/ws/inbox` on the real Kafka broker: cookie and Origin checks, events fanned out to every
 * replica, typing published on `activity`, presence from connections with a grace period.
 */
describe('inbox live updates', () => {
  let first: InboxTestApp;
  let second: InboxTestApp;
  const topicPrefix = `${testRunId()}-inbox-live-${randomBytes(3).toString('hex')}.`;

  beforeAll(async () => {
    first = await startInboxTestApp('inbox_live', {
      topicPrefix,
      env: { INBOX_PRESENCE_GRACE_SECONDS: '1' },
    });
    // A second replica on the same database and topics.
    second = await startInboxTestApp('inbox_live_2', {
      topicPrefix,
      database: first.database,
      ports: { history: first.history, routing: first.routing },
      env: { INBOX_PRESENCE_GRACE_SECONDS: '1' },
    });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('refuses sockets without a session or from another origin', async () => {
    const anonymous = await openSocket(first.url, { origin: first.url });
    await waitFor(() => anonymous.closed() !== undefined);
    expect(anonymous.closed()).toEqual({ code: 4401, reason: 'sign in first' });
    const agent = await signedInUser(first, 'agent');
    const foreign = await openSocket(first.url, {
      origin: 'https://evil.example',
      cookie: agent.client.cookie!,
    });
    await waitFor(() => foreign.closed() !== undefined);
    expect(foreign.closed()?.code).toBe(4403);
  });

  it('answers a heartbeat ping with a pong, and ignores frames it does not know', async () => {
    const agent = await signedInUser(first, 'agent');
    const live = await openSocket(first.url, { origin: first.url, cookie: agent.client.cookie! });
    await waitFor(() => live.frames.some((f) => f.type === 'hello'));
    live.socket.send(JSON.stringify({ type: 'pong' }));
    live.socket.send(JSON.stringify({ type: 'ping' }));
    await waitFor(() => live.frames.some((f) => f.type === 'pong'), { what: 'a pong' });
    expect(live.frames.map((f) => f.type).filter((t) => t !== 'event')).toEqual(['hello', 'pong']);
    expect(live.closed()).toBeUndefined();

    // Silent for longer than a pinging browser ever is: its socket is ended (the network is gone);
    // a socket of an older SPA that never pings is left alone.
    const older = await openSocket(first.url, { origin: first.url, cookie: agent.client.cookie! });
    await waitFor(() => older.frames.some((f) => f.type === 'hello'));
    const service = first.app.get(LiveService);
    expect(service.endSilentSockets(Date.now() + SILENT_SOCKET_MS - 1_000)).toBe(0);
    expect(service.endSilentSockets(Date.now() + SILENT_SOCKET_MS + 1_000)).toBe(1);
    await waitFor(() => live.closed() !== undefined, { what: 'the silent socket ended' });
    expect(live.closed()?.code).toBe(1006);
    expect(older.closed()).toBeUndefined();
    older.socket.close();
  });

  it("sends each replica's sockets every event of their workspace, and none of another's", async () => {
    const agentA = await signedInUser(first, 'agent');
    const agentB = await signedInUser(first, 'agent');
    const outsider = await signedInUser(first, 'agent', { workspaceId: randomUUID() });
    const onFirst = await openSocket(first.url, { origin: first.url, cookie: agentA.client.cookie! });
    const onSecond = await openSocket(second.url, { origin: second.url, cookie: agentB.client.cookie! });
    const elsewhere = await openSocket(first.url, { origin: first.url, cookie: outsider.client.cookie! });
    await waitFor(() => onFirst.frames.length > 0 && onSecond.frames.length > 0);
    expect(onFirst.frames[0]).toMatchObject({ type: 'hello', userId: agentA.id });

    const customer = first.history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Linus' });
    const conversation = first.history.addConversation(customer);
    await first.history.receive(conversation.id, 'anyone there?', 'web');
    const appended = (frames: Frame[]) =>
      frames.find(
        (f) =>
          f.event?.type === 'conversation.message.appended' &&
          f.event.payload.conversationId === conversation.id,
      );
    await waitFor(() => appended(onFirst.frames) !== undefined && appended(onSecond.frames) !== undefined, {
      timeoutMs: 20_000,
      what: JSON.stringify([onFirst.frames, onSecond.frames]),
    });
    expect(appended(onFirst.frames)).toMatchObject({
      topic: Topics.conversations,
      event: { payload: { text: 'anyone there?', channel: 'web' } },
    });
    expect(elsewhere.frames.filter((f) => f.type === 'event')).toEqual([]);
    for (const s of [onFirst, onSecond, elsewhere]) s.socket.close();
  });

  it("sends a held conversation's events to its agent and to supervisors, not to other agents", async () => {
    const holder = await signedInUser(first, 'agent');
    const other = await signedInUser(first, 'agent');
    const supervisor = await signedInUser(first, 'supervisor');
    const sockets = await Promise.all(
      [holder, other, supervisor].map((u) =>
        openSocket(first.url, { origin: first.url, cookie: u.client.cookie! }),
      ),
    );
    const [onHolder, onOther, onSupervisor] = sockets as [Socket, Socket, Socket];
    await waitFor(() => sockets.every((s) => s.frames.length > 0));
    // Assigned before this replica saw any decision about it: its holder is looked up in history.
    const customer = first.history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Grace' });
    const held = first.history.addConversation(customer, { assigneeId: holder.id });
    const open = first.history.addConversation(first.history.addCustomer(DEFAULT_WORKSPACE_ID));
    await first.history.receive(held.id, 'for my agent only', 'web');
    await first.history.receive(open.id, 'for anyone', 'web');
    const texts = (s: Socket) =>
      s.frames
        .filter((f) => f.event?.type === 'conversation.message.appended')
        .map((f) => f.event!.payload.text);
    await waitFor(() => texts(onOther).includes('for anyone') && texts(onSupervisor).length >= 2, {
      timeoutMs: 20_000,
      what: JSON.stringify(sockets.map(texts)),
    });
    await waitFor(() => texts(onHolder).length >= 2);
    expect(texts(onHolder)).toEqual(expect.arrayContaining(['for my agent only', 'for anyone']));
    expect(texts(onSupervisor)).toEqual(expect.arrayContaining(['for my agent only', 'for anyone']));
    expect(texts(onOther)).not.toContain('for my agent only');
    for (const s of sockets) s.socket.close();
  });

  it("sends a new conversation's first message to every agent without asking history who holds it", async () => {
    const agent = await signedInUser(first, 'agent');
    const live = await openSocket(first.url, { origin: first.url, cookie: agent.client.cookie! });
    await waitFor(() => live.frames.length > 0);
    const asked: string[] = [];
    const getConversation = first.history.getConversation.bind(first.history);
    first.history.getConversation = (workspaceId: string, conversationId: string) => {
      asked.push(conversationId);
      return getConversation(workspaceId, conversationId);
    };
    try {
      const fresh = first.history.addConversation(first.history.addCustomer(DEFAULT_WORKSPACE_ID));
      await first.history.receive(fresh.id, 'a first message', 'sms');
      await waitFor(
        () =>
          live.frames.some(
            (f) =>
              f.event?.type === 'conversation.message.appended' && f.event.payload.text === 'a first message',
          ),
        { timeoutMs: 20_000, what: 'the first message on the socket' },
      );
      expect(asked).not.toContain(fresh.id);
    } finally {
      first.history.getConversation = getConversation;
      live.socket.close();
    }
  });

  it('sends label changes live: a conversation’s to those who see it, a customer’s to everyone', async () => {
    const holder = await signedInUser(first, 'agent');
    const other = await signedInUser(first, 'agent');
    const admin = await signedInUser(first, 'admin');
    const sockets = await Promise.all(
      [holder, other, admin].map((u) =>
        openSocket(first.url, { origin: first.url, cookie: u.client.cookie! }),
      ),
    );
    const [onHolder, onOther, onAdmin] = sockets as [Socket, Socket, Socket];
    await waitFor(() => sockets.every((s) => s.frames.length > 0));
    const customer = first.history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Labelled' });
    const held = first.history.addConversation(customer, { assigneeId: holder.id });
    const open = first.history.addConversation(first.history.addCustomer(DEFAULT_WORKSPACE_ID));
    const vip = await first.history.createLabel(DEFAULT_WORKSPACE_ID, {
      name: 'VIP live',
      colour: '#123456',
    });
    const put = async (path: string) => {
      const response = await admin.client.request('PUT', path, { labelIds: [vip.id] });
      expect(response.status).toBe(200);
    };
    await put(`/api/inbox/conversations/${held.id}/labels`);
    await put(`/api/inbox/conversations/${open.id}/labels`);
    await put(`/api/inbox/customers/${customer.id}/labels`);
    const told = (s: Socket) =>
      s.frames
        .filter((f) => f.event?.type.endsWith('.labels.changed'))
        .map(
          (f) => `${f.event!.type} ${String(f.event!.payload.conversationId ?? f.event!.payload.customerId)}`,
        );
    const all = [
      `conversation.labels.changed ${held.id}`,
      `conversation.labels.changed ${open.id}`,
      `customer.labels.changed ${customer.id}`,
    ];
    await waitFor(
      () => told(onAdmin).length === 3 && told(onHolder).length === 3 && told(onOther).length === 2,
      {
        timeoutMs: 20_000,
        what: JSON.stringify(sockets.map(told)),
      },
    );
    expect(told(onAdmin)).toEqual(all);
    expect(told(onHolder)).toEqual(all);
    // Another agent's conversation is not hers to see: its labels don't reach her either.
    expect(told(onOther)).toEqual([all[1], all[2]]);
    const frame = onAdmin.frames.find((f) => f.event?.type === 'customer.labels.changed')!;
    expect(frame.event!.payload).toMatchObject({ customerId: customer.id, labelIds: [vip.id] });
    for (const s of sockets) s.socket.close();
  });

  it("publishes the agent's typing on the activity topic, where other agents see it too", async () => {
    const agentA = await signedInUser(first, 'agent', { name: 'Ada' });
    const agentB = await signedInUser(first, 'agent');
    const customer = first.history.addCustomer(DEFAULT_WORKSPACE_ID);
    const conversation = first.history.addConversation(customer);
    const published: ConsumedEvent[] = [];
    const subscription = await first.bus.subscribe({
      groupId: `test-activity-${randomUUID()}`,
      topics: [Topics.activity],
      accepts: [ParticipantActivityV1],
      handleBatch: (batch) => {
        published.push(...batch);
        return Promise.resolve();
      },
    });
    await subscription.assigned;
    const typist = await openSocket(first.url, { origin: first.url, cookie: agentA.client.cookie! });
    const watcher = await openSocket(second.url, { origin: second.url, cookie: agentB.client.cookie! });
    await waitFor(() => typist.frames.length > 0 && watcher.frames.length > 0);
    typist.socket.send(JSON.stringify({ type: 'typing', conversationId: conversation.id, state: 'typing' }));
    // Throttled: a second typing frame at once publishes nothing more.
    typist.socket.send(JSON.stringify({ type: 'typing', conversationId: conversation.id, state: 'typing' }));
    // Another workspace's conversation (or garbage) is dropped.
    typist.socket.send(JSON.stringify({ type: 'typing', conversationId: randomUUID(), state: 'typing' }));
    typist.socket.send('not json');
    await waitFor(() => published.length > 0, { timeoutMs: 20_000 });
    expect(published[0]!.event.payload).toMatchObject({
      conversationId: conversation.id,
      customerId: customer.id,
      participant: { type: 'agent', id: agentA.id, name: 'Ada' },
      activity: 'typing',
    });
    await waitFor(() => watcher.frames.some((f) => f.event?.type === 'conversation.activity'), {
      timeoutMs: 20_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(published).toHaveLength(1);
    await subscription.stop();
    typist.socket.close();
    watcher.socket.close();
  });

  it('sets a connected agent online, and offline only after the grace period without a socket', async () => {
    const agent = await signedInUser(first, 'agent');
    const presence = () =>
      [...first.routing.agents.values()].find(
        (a) => a.workspaceId === DEFAULT_WORKSPACE_ID && a.agentId === agent.id,
      )!.presence;
    expect(presence()).toBe('offline');
    const tab = await openSocket(first.url, { origin: first.url, cookie: agent.client.cookie! });
    await waitFor(() => presence() === 'online');
    expect(first.routing.presenceCalls.filter((c) => c.agentId === agent.id)).toEqual([
      { agentId: agent.id, presence: 'online', reason: 'connection' },
    ]);
    // A reload: the tab closes and a new one opens, on the other replica, within the grace period.
    tab.socket.close();
    const reloaded = await openSocket(second.url, { origin: second.url, cookie: agent.client.cookie! });
    await waitFor(() => reloaded.frames.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(presence()).toBe('online');
    reloaded.socket.close();
    await waitFor(() => presence() === 'offline', { timeoutMs: 5_000 });
    expect(first.routing.presenceCalls.filter((c) => c.agentId === agent.id).at(-1)).toEqual({
      agentId: agent.id,
      presence: 'offline',
      reason: 'connection',
    });
  });

  it('closes the sockets of a session that ended', async () => {
    const agent = await signedInUser(first, 'agent');
    const colleague = await signedInUser(first, 'agent');
    const tab = await openSocket(first.url, { origin: first.url, cookie: agent.client.cookie! });
    const stays = await openSocket(first.url, { origin: first.url, cookie: colleague.client.cookie! });
    await waitFor(() => tab.frames.length > 0 && stays.frames.length > 0);
    const cookie = agent.client.cookie;
    await agent.client.delete('/api/inbox/session');
    agent.client.cookie = cookie;
    await first.app.get(LiveService).recheckSessions();
    await waitFor(() => tab.closed() !== undefined);
    expect(tab.closed()).toEqual({ code: 4401, reason: 'session ended' });
    // One check for all sockets: the colleague's live session keeps its socket.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stays.closed()).toBeUndefined();
    stays.socket.close();
  });

  it('wakes a snooze made on another replica before the message reaches the sockets (ADR 0112, 0142)', async () => {
    const supervisor = await signedInUser(first, 'supervisor');
    const customer = first.history.addCustomer(DEFAULT_WORKSPACE_ID, { name: 'Ada' });
    const conversation = first.history.addConversation(customer);
    await first.history.receive(conversation.id, 'first', 'web');
    const onSecond = await openSocket(second.url, { origin: second.url, cookie: supervisor.client.cookie! });
    await waitFor(() => onSecond.frames.some((f) => f.type === 'hello'));
    // Made through the first replica: the second knows of it only from the table's notification.
    const snoozed = await supervisor.client.post(`/api/inbox/conversations/${conversation.id}/snooze`, {
      until: null,
    });
    expect(snoozed.status).toBe(201);
    // The second replica read the table after LISTEN and follows it: it knows this conversation
    // snoozed and another not (so a message of that one goes out without a statement first).
    const consumer: unknown = second.app.get(LiveEventsConsumer);
    const known = (consumer as { snoozed: SnoozedConversations }).snoozed;
    await waitFor(() => known.mayBeSnoozed(conversation.id), { what: 'the snooze notified' });
    expect(known.mayBeSnoozed(randomUUID())).toBe(false);
    const snoozes = second.app.get(SnoozesService);
    // What the second replica's database says when the customer's next message arrives.
    const snoozeAtFrame: unknown[] = [];
    onSecond.socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      const payload = frame.event?.payload;
      if (payload?.conversationId === conversation.id && payload.text === 'still there?')
        snoozeAtFrame.push(snoozes.get(DEFAULT_WORKSPACE_ID, conversation.id));
    });

    await first.history.receive(conversation.id, 'still there?', 'web');
    await waitFor(() => snoozeAtFrame.length > 0, { timeoutMs: 20_000, what: 'the message on the socket' });
    expect(await Promise.all(snoozeAtFrame)).toEqual([null]);
    await waitFor(() => !known.mayBeSnoozed(conversation.id), { what: 'the wake notified' });
    onSecond.socket.close();
  });
});
