import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
const AUTH_TOKEN = 'a-twilio-auth-token-0123456789ab';

/**
 * The admin screen's channel routes over the channel ports (doubles here; the real adapters in
 * apps/standalone/test/inbox-channels-admin.e2e-spec.ts and over internal RPC in
 * inbox-channels-alone.e2e-spec.ts): admins only, the session's workspace only, field errors, and
 * no auth token in any answer.
 */
describe('inbox channels admin API', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_channels');
  });
  afterAll(async () => {
    await inbox?.close();
  });

  it('answers 403 to agents and supervisors on every route, and 401 without a session', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/inbox/admin/channels/web'],
      ['PATCH', '/api/inbox/admin/channels/web', { allowedOrigins: [] }],
      ['POST', '/api/inbox/admin/channels/web/rotate-identity-secret'],
      ['GET', '/api/inbox/admin/channels/sms'],
      ['PUT', '/api/inbox/admin/channels/sms', { phoneNumber: '+14155550100', accountSid: ACCOUNT_SID }],
      ['DELETE', `/api/inbox/admin/channels/sms/${randomUUID()}`],
    ];
    for (const role of ['agent', 'supervisor'] as const) {
      const { client } = await signedInUser(inbox, role);
      for (const [method, path, body] of routes) {
        const response = await client.request(method, path, body);
        expect([method, path, role, response.status]).toEqual([method, path, role, 403]);
      }
    }
    const { client } = await signedInUser(inbox, 'agent');
    await client.delete('/api/inbox/session');
    client.cookie = undefined;
    for (const [method, path, body] of routes)
      expect((await client.request(method, path, body)).status).toBe(401);
    expect(inbox.smsChannel.stored.size).toBe(0);
  });

  it('lets an admin change the widget, with field errors for bad values and unknown fields', async () => {
    const { client } = await signedInUser(inbox, 'admin');
    const before = await client.get('/api/inbox/admin/channels/web');
    expect(before.status).toBe(200);
    expect(before.body.widgetKey).toMatch(/^wk_/);

    const changed = await client.patch('/api/inbox/admin/channels/web', {
      allowedOrigins: ['https://shop.example.com'],
      appearance: { theme: { ...before.body.appearance.theme, position: 'left' } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.allowedOrigins).toEqual(['https://shop.example.com']);
    expect(changed.body.appearance.theme.position).toBe('left');

    const edge = await client.patch('/api/inbox/admin/channels/web', {
      appearance: { theme: { ...before.body.appearance.theme, position: 'top' } },
      surprise: true,
    });
    expect(edge.status).toBe(400);
    const edgeFields = (edge.body.error.fieldViolations as { field: string }[]).map((v) => v.field);
    expect(edgeFields.sort()).toEqual(['(body)', 'appearance.theme.position']);
    const owner = await client.patch('/api/inbox/admin/channels/web', { allowedOrigins: ['not an origin'] });
    expect(owner.status).toBe(400);
    expect(owner.body.error.fieldViolations).toEqual([
      { field: 'allowedOrigins.0', description: 'an origin' },
    ]);

    // The secure card form's endpoint (ADR 0082): admins only.
    const url = 'https://payments.example.com/v1/tokens';
    const agent = await signedInUser(inbox, 'agent');
    const byAgent = await agent.client.patch('/api/inbox/admin/channels/web', {
      appearance: { cardTokenizationUrl: url },
    });
    expect(byAgent.status).toBe(403);
    const tokenization = await client.patch('/api/inbox/admin/channels/web', {
      appearance: { cardTokenizationUrl: url },
    });
    expect(tokenization.status).toBe(200);
    expect(tokenization.body.appearance.cardTokenizationUrl).toBe(url);

    const rotated = await client.post('/api/inbox/admin/channels/web/rotate-identity-secret');
    expect(rotated.status).toBe(200);
    expect(rotated.body.identitySecret).not.toBe(changed.body.identitySecret);
  });

  it("keeps each workspace's channels to its own admins and never returns an auth token", async () => {
    const admin = await signedInUser(inbox, 'admin');
    const otherAdmin = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });
    const added = await admin.client.put('/api/inbox/admin/channels/sms', {
      phoneNumber: '+14155550123',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ phoneNumber: '+14155550123', authTokenSet: true });
    expect(JSON.stringify(added.body)).not.toContain(AUTH_TOKEN);
    const listed = await admin.client.get('/api/inbox/admin/channels/sms');
    const addedId = (added.body as { id: string }).id;
    expect((listed.body.numbers as { id: string }[]).map((n) => n.id)).toEqual([addedId]);
    expect(JSON.stringify(listed.body)).not.toContain(AUTH_TOKEN);
    expect(inbox.smsChannel.stored.get(addedId)?.workspaceId).toBe(DEFAULT_WORKSPACE_ID);

    expect((await otherAdmin.client.get('/api/inbox/admin/channels/sms')).body.numbers).toEqual([]);
    expect((await otherAdmin.client.delete(`/api/inbox/admin/channels/sms/${added.body.id}`)).status).toBe(
      404,
    );
    const taken = await otherAdmin.client.put('/api/inbox/admin/channels/sms', {
      phoneNumber: '+14155550123',
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
    });
    expect(taken.status).toBe(409);

    const missingToken = await admin.client.put('/api/inbox/admin/channels/sms', {
      phoneNumber: '+14155550124',
      accountSid: ACCOUNT_SID,
    });
    expect(missingToken.status).toBe(400);
    expect(missingToken.body.error.fieldViolations[0].field).toBe('authToken');

    expect((await admin.client.delete(`/api/inbox/admin/channels/sms/${added.body.id}`)).status).toBe(204);
    expect((await admin.client.get('/api/inbox/admin/channels/sms')).body.numbers).toEqual([]);
  });
});
