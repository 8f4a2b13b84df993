import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

/**
 * The contacts API (`GET /customers`, `GET /customers/:id`, `POST /merges/:id/undo`) over the
 * HistoryApi double (held to the real service's contract), with the inbox's sessions on the real
 * PostgreSQL: found by a prefix of a name or identity, a profile with every conversation and
 * merge, an undo, bad input refused, another workspace's ids not found.
 */
describe('inbox contacts API', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_contacts');
  });
  afterAll(async () => {
    await inbox?.close();
  });

  const ws = DEFAULT_WORKSPACE_ID;

  function customer(name: string, phone: string) {
    const created = inbox.history.addCustomer(ws, {
      name,
      channels: ['sms'],
      identities: [
        { id: randomUUID(), kind: 'phone', value: phone, verified: true, optedOut: false, createdAt: '' },
      ],
    });
    const conversation = inbox.history.addConversation(created, { channel: 'sms' });
    return { customer: created, conversation };
  }

  it('finds contacts, opens a profile, merges and undoes the merge', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const home = customer('Ada Lovelace', '+14155550191');
    const work = customer('A. Lovelace', '+14155550192');
    customer('Grace Hopper', '+14155550193');

    const byPhone = await agent.client.get('/api/inbox/customers?q=%2B1415555019');
    expect(byPhone.status).toBe(200);
    expect((byPhone.body.items as { id: string }[]).length).toBeGreaterThanOrEqual(3);
    const byName = await agent.client.get('/api/inbox/customers?q=ada');
    expect((byName.body.items as { id: string }[]).map((c) => c.id)).toEqual([home.customer.id]);

    const merged = await agent.client.post(`/api/inbox/customers/${home.customer.id}/merge`, {
      sourceCustomerId: work.customer.id,
    });
    expect(merged.status).toBe(201);
    const profile = await agent.client.get(`/api/inbox/customers/${home.customer.id}`);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      customer: { id: home.customer.id, name: 'Ada Lovelace' },
      merges: [{ id: merged.body.id, sourceCustomerId: work.customer.id, undoneAt: null }],
      mergeSuggestions: [],
    });
    expect((profile.body.conversations as { id: string }[]).map((c) => c.id).sort()).toEqual(
      [home.conversation.id, work.conversation.id].sort(),
    );

    const undone = await agent.client.post(`/api/inbox/merges/${merged.body.id as string}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body.undoneAt).not.toBeNull();
    const after = await agent.client.get(`/api/inbox/customers/${home.customer.id}`);
    expect((after.body.conversations as { id: string }[]).map((c) => c.id)).toEqual([home.conversation.id]);
    expect((after.body.customer.identities as { value: string }[]).map((i) => i.value)).toEqual([
      '+14155550191',
    ]);
  });

  it('refuses bad input and answers 404 for another workspace or an unknown id', async () => {
    const admin = await signedInUser(inbox, 'admin');
    const outsider = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });
    const { customer: theirs } = customer('Katherine Johnson', '+14155550194');

    const tooLong = await admin.client.get(`/api/inbox/customers?q=${'x'.repeat(201)}`);
    expect(tooLong.status).toBe(400);
    expect((await admin.client.get('/api/inbox/customers?pageSize=0')).status).toBe(400);

    const outside = await outsider.client.get('/api/inbox/customers?q=Katherine');
    expect(outside.status).toBe(200);
    expect(outside.body.items).toEqual([]);
    expect((await outsider.client.get(`/api/inbox/customers/${theirs.id}`)).status).toBe(404);
    expect((await admin.client.get(`/api/inbox/customers/${randomUUID()}`)).status).toBe(404);
    expect((await admin.client.post(`/api/inbox/merges/${randomUUID()}/undo`)).status).toBe(404);
  });
});
