import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import WebSocket from 'ws';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

async function connect(url: string, cookie: string): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws/inbox`, { headers: { cookie, origin: url } });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

const close = (socket: WebSocket) =>
  new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });

/**
 * Issue 17, item 5, over `/ws/inbox` on the real PostgreSQL and Kafka: a user who signs in is an
 * agent (an admin routing never heard of is enrolled) and online, unless they chose otherwise —
 * a choice kept across sign-ins, which a closed tab (offline after the grace) does not erase.
 */
describe('inbox: presence when an agent signs in', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_presence', { env: { INBOX_PRESENCE_GRACE_SECONDS: '0' } });
  });
  afterAll(() => inbox?.close());

  const presenceOf = async (id: string) => (await inbox.routing.getAgent(DEFAULT_WORKSPACE_ID, id)).presence;

  it('enrols an admin routing does not know and sets them online', async () => {
    const admin = await signedInUser(inbox, 'admin');
    // As the first admin is: a user of the inbox that routing has never heard of.
    await inbox.routing.removeAgent(DEFAULT_WORKSPACE_ID, admin.id);
    await expect(inbox.routing.getAgent(DEFAULT_WORKSPACE_ID, admin.id)).rejects.toThrow();
    const socket = await connect(inbox.url, admin.client.cookie!);
    await waitFor(async () => (await presenceOf(admin.id).catch(() => null)) === 'online', {
      what: 'the admin enrolled and online',
    });
    await close(socket);
    await waitFor(async () => (await presenceOf(admin.id)) === 'offline', { what: 'offline once gone' });
  });

  it('keeps an agent away, as they chose, when they sign in again', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const first = await connect(inbox.url, agent.client.cookie!);
    await waitFor(async () => (await presenceOf(agent.id).catch(() => null)) === 'online', {
      what: 'online at sign-in',
    });
    expect((await agent.client.put('/api/inbox/presence', { presence: 'away' })).status).toBe(200);
    await close(first);
    await waitFor(async () => (await presenceOf(agent.id)) === 'offline', { what: 'offline once gone' });

    const calls = inbox.routing.presenceCalls.length;
    const again = await connect(inbox.url, agent.client.cookie!);
    await waitFor(async () => (await presenceOf(agent.id)) === 'away', { what: 'away again, as chosen' });
    expect(inbox.routing.presenceCalls.slice(calls).map((c) => c.presence)).toEqual(['away']);

    // Choosing online again: the next sign-in is online.
    expect((await agent.client.put('/api/inbox/presence', { presence: 'online' })).status).toBe(200);
    await close(again);
    await waitFor(async () => (await presenceOf(agent.id)) === 'offline', { what: 'offline once gone' });
    const third = await connect(inbox.url, agent.client.cookie!);
    await waitFor(async () => (await presenceOf(agent.id)) === 'online', { what: 'online, as chosen' });
    await close(third);
  });

  it('leaves an agent who chose offline offline when they sign in', async () => {
    const agent = await signedInUser(inbox, 'agent');
    expect((await agent.client.put('/api/inbox/presence', { presence: 'offline' })).status).toBe(200);
    const calls = inbox.routing.presenceCalls.length;
    const socket = await connect(inbox.url, agent.client.cookie!);
    // Another agent's connection afterwards bounds the wait: connections are handled in order.
    const other = await signedInUser(inbox, 'agent');
    const otherSocket = await connect(inbox.url, other.client.cookie!);
    await waitFor(async () => (await presenceOf(other.id).catch(() => null)) === 'online', {
      what: 'the other online',
    });
    expect(inbox.routing.presenceCalls.slice(calls).filter((c) => c.agentId === agent.id)).toEqual([]);
    expect(await presenceOf(agent.id)).toBe('offline');
    await close(socket);
    await close(otherSocket);
  });
});
