import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

/**
 * The inbox's search, labels and saved views routes (ADR 0115, 0116) over the HistoryApi double,
 * saved views on the real PostgreSQL: input validated at the edge, roles (only admins manage
 * labels), every call in the session's workspace, saved views private to their user. History's
 * own search and labels run on the real database in `apps/history/test/search-and-labels`.
 */
describe('inbox search, labels and saved views API', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_search_api');
  });
  afterAll(async () => {
    await inbox?.close();
  });

  it('searches the session’s workspace with the filters translated for history', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const conversation = inbox.history.addConversation(DEFAULT_WORKSPACE_ID, { assigneeId: agent.id });
    await inbox.history.receive(conversation.id, 'please refund me', 'sms');
    const elsewhere = inbox.history.addConversation(randomUUID());
    await inbox.history.receive(elsewhere.id, 'refund elsewhere', 'sms');

    const found = await agent.client.get('/api/inbox/search?q=refund&assignee=me&status=open,pending');
    expect(found.status).toBe(200);
    const body = found.body as { messages: { message: { text: string } }[] };
    expect(body.messages.map((h) => h.message.text)).toEqual(['please refund me']);

    expect((await agent.client.get('/api/inbox/search?q=')).status).toBe(400);
    expect((await agent.client.get('/api/inbox/search?q=refund&status=closed')).status).toBe(400);
    expect((await agent.client.get('/api/inbox/search?q=refund&labelId=billing')).status).toBe(400);
    expect((await agent.client.get('/api/inbox/search?q=refund&from=yesterday')).status).toBe(400);
  });

  it('lets admins manage labels and everyone put them on conversations and customers', async () => {
    const admin = await signedInUser(inbox, 'admin');
    const agent = await signedInUser(inbox, 'agent');
    expect(
      (await agent.client.post('/api/inbox/labels', { name: 'Billing', colour: '#aa3355' })).status,
    ).toBe(403);
    expect((await admin.client.post('/api/inbox/labels', { name: 'Billing', colour: 'red' })).status).toBe(
      400,
    );
    const created = await admin.client.post('/api/inbox/labels', { name: 'Billing', colour: '#aa3355' });
    expect(created.status).toBe(201);
    const label = created.body as { id: string };
    expect((await agent.client.patch(`/api/inbox/labels/${label.id}`, { name: 'Money' })).status).toBe(403);
    expect((await admin.client.patch(`/api/inbox/labels/${label.id}`, { name: 'Money' })).status).toBe(200);

    const conversation = inbox.history.addConversation(DEFAULT_WORKSPACE_ID);
    const put = await agent.client.put(`/api/inbox/conversations/${conversation.id}/labels`, {
      labelIds: [label.id],
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ labelIds: [label.id] });
    const listed = await agent.client.get(`/api/inbox/conversations?view=unassigned&labelId=${label.id}`);
    expect((listed.body as { items: { id: string }[] }).items.map((c) => c.id)).toEqual([conversation.id]);
    const customer = await agent.client.put(`/api/inbox/customers/${conversation.customerId}/labels`, {
      labelIds: [label.id],
    });
    expect(customer.status).toBe(200);
    expect(
      (await agent.client.put(`/api/inbox/customers/${conversation.customerId}/labels`, { labelIds: ['x'] }))
        .status,
    ).toBe(400);

    // Another workspace's admin neither sees nor touches this workspace's label.
    const stranger = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });
    expect((await stranger.client.get('/api/inbox/labels')).body).toEqual({ labels: [] });
    expect((await stranger.client.delete(`/api/inbox/labels/${label.id}`)).status).toBe(404);
    expect(
      (await stranger.client.put(`/api/inbox/conversations/${conversation.id}/labels`, { labelIds: [] }))
        .status,
    ).toBe(404);

    expect((await agent.client.delete(`/api/inbox/labels/${label.id}`)).status).toBe(403);
    expect((await admin.client.delete(`/api/inbox/labels/${label.id}`)).status).toBe(204);
    expect(inbox.history.conversations.get(conversation.id)!.labelIds).toEqual([]);
  });

  it('keeps each user’s saved views to themself', async () => {
    const agent = await signedInUser(inbox, 'agent');
    const other = await signedInUser(inbox, 'agent');
    const filters = { view: 'mine', status: 'open,pending', labelId: randomUUID() };
    const saved = await agent.client.post('/api/inbox/saved-views', {
      name: 'My open billing chats',
      filters,
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: 'My open billing chats', filters });
    expect(
      (await agent.client.post('/api/inbox/saved-views', { name: 'My open billing chats', filters })).status,
    ).toBe(409);
    expect(
      (
        await agent.client.post('/api/inbox/saved-views', {
          name: 'x',
          filters: { ...filters, status: 'closed' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await agent.client.post('/api/inbox/saved-views', { name: 'x', filters: { ...filters, extra: 1 } }))
        .status,
    ).toBe(400);

    const mine = await agent.client.get('/api/inbox/saved-views');
    expect((mine.body as { savedViews: { name: string }[] }).savedViews.map((v) => v.name)).toEqual([
      'My open billing chats',
    ]);
    expect((await other.client.get('/api/inbox/saved-views')).body).toEqual({ savedViews: [] });
    const id = (saved.body as { id: string }).id;
    expect((await other.client.delete(`/api/inbox/saved-views/${id}`)).status).toBe(404);
    expect((await agent.client.delete(`/api/inbox/saved-views/${id}`)).status).toBe(204);
    expect((await agent.client.get('/api/inbox/saved-views')).body).toEqual({ savedViews: [] });
  });
});
