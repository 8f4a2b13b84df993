import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { InboxClient } from './inbox-client.fixture.js';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { WorkspacesService } from '../src/workspaces/workspaces.service.js';

const PASSWORD = 'a long enough password';

/**
 * Workspaces over the inbox's HTTP API on the real PostgreSQL (issue 17): sign-up (and an operator
 * switching it off), settings with field errors, the business hours handed to the web widget, a
 * person who creates a second workspace switching between the two, and that nothing of one
 * workspace shows in another — not even to the same person, and not by a typed email.
 */
describe('inbox: workspaces', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    // Each sign-up from an address of its own (through a trusted proxy): the per-address limit is tested below.
    inbox = await startInboxTestApp('inbox_workspaces', { env: { TRUSTED_PROXIES: '127.0.0.1,::1' } });
  });
  afterAll(() => inbox?.close());

  let signUps = 0;
  const signUp = async (workspaceName: string, email: string) => {
    const client = new InboxClient(inbox.url);
    client.headers = { 'x-forwarded-for': `198.18.0.${++signUps}` };
    const response = await client.post('/api/inbox/signup', {
      workspaceName,
      displayName: 'Founder',
      email,
      password: PASSWORD,
      timeZone: 'Europe/Paris',
    });
    if (response.status === 201) client.csrfToken = (response.body as { csrfToken: string }).csrfToken;
    return { client, response };
  };

  it('signs a business up: a workspace, its admin signed in, its settings', async () => {
    expect((await new InboxClient(inbox.url).get('/api/inbox/signup')).body).toEqual({ enabled: true });
    const { client, response } = await signUp('Acme Bikes', 'founder@acme.example');
    expect(response.status).toBe(201);
    const body = response.body as { workspace: { id: string; timeZone: string }; user: { role: string } };
    expect(body.user.role).toBe('admin');
    expect(body.workspace.timeZone).toBe('Europe/Paris');
    expect(body.workspace.id).not.toBe(DEFAULT_WORKSPACE_ID);
    const me = await client.get('/api/inbox/session');
    expect(me.body.user.workspaceId).toBe(body.workspace.id);

    const bad = await client.patch('/api/inbox/admin/workspace', {
      name: '',
      timeZone: 'Mars/Olympus',
      businessHours: { mon: [{ from: '18:00', to: '09:00' }] },
    });
    expect(bad.status).toBe(400);
    expect((bad.body.error.fieldViolations as { field: string }[]).map((v) => v.field).sort()).toEqual([
      'businessHours.mon.0',
      'name',
      'timeZone',
    ]);
    const hours = { mon: [{ from: '09:00', to: '18:00' }], sat: [{ from: '10:00', to: '12:00' }] };
    const saved = await client.patch('/api/inbox/admin/workspace', {
      name: 'Acme Bikes & Co',
      timeZone: 'America/New_York',
      businessHours: hours,
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      name: 'Acme Bikes & Co',
      timeZone: 'America/New_York',
      businessHours: hours,
    });
    // The web widget of that workspace follows them (and no other workspace's).
    expect((await inbox.webChannel.getWidgetSettings(body.workspace.id)).appearance.businessHours).toEqual({
      timeZone: 'America/New_York',
      weekly: hours,
    });
    expect(
      (await inbox.webChannel.getWidgetSettings(DEFAULT_WORKSPACE_ID)).appearance.businessHours,
    ).toBeNull();

    // Another workspace's admin sees none of it: users, settings.
    const other = new InboxClient(inbox.url);
    expect((await other.login(inbox.adminEmail, inbox.adminPassword)).status).toBe(200);
    const users = (await other.get('/api/inbox/users')).body.users as { email: string }[];
    expect(users.map((u) => u.email)).not.toContain('founder@acme.example');
    expect((await other.get('/api/inbox/admin/workspace')).body.id).toBe(DEFAULT_WORKSPACE_ID);
    const agentsOfAcme = (await client.get('/api/inbox/users')).body.users as { email: string }[];
    expect(agentsOfAcme.map((u) => u.email)).toEqual(['founder@acme.example']);
  });

  it('lets a person create a second workspace and switch between them', async () => {
    const { client } = await signUp('North Shop', `north-${randomUUID().slice(0, 6)}@shop.example`);
    const home = (await client.get('/api/inbox/session')).body.user.workspaceId as string;
    const created = await client.post('/api/inbox/workspaces', {
      name: 'South Shop',
      timeZone: 'Asia/Tokyo',
    });
    expect(created.status).toBe(201);
    const south = created.body.id as string;

    const listed = await client.get('/api/inbox/workspaces');
    expect(listed.body.workspaces).toEqual([
      { workspaceId: home, name: 'North Shop', role: 'admin', current: true },
      { workspaceId: south, name: 'South Shop', role: 'admin', current: false },
    ]);
    const oldCookie = client.cookie;
    const switched = await client.post('/api/inbox/workspaces/switch', { workspaceId: south });
    expect(switched.status).toBe(200);
    client.csrfToken = switched.body.csrfToken as string;
    expect((await client.get('/api/inbox/session')).body.user.workspaceId).toBe(south);
    expect((await client.get('/api/inbox/admin/workspace')).body).toMatchObject({
      name: 'South Shop',
      timeZone: 'Asia/Tokyo',
    });
    // The session of the other workspace ended with the switch.
    const stale = new InboxClient(inbox.url);
    stale.cookie = oldCookie;
    expect((await stale.get('/api/inbox/session')).status).toBe(401);

    // One sign-in (same email and password) lands in the oldest; no "choose a workspace".
    const again = new InboxClient(inbox.url);
    const email = (await client.get('/api/inbox/session')).body.user.email as string;
    expect((await again.login(email, PASSWORD)).status).toBe(200);
    expect((await again.get('/api/inbox/session')).body.user.workspaceId).toBe(home);

    // Not a workspace of theirs: not found, whether it exists or not.
    for (const workspaceId of [DEFAULT_WORKSPACE_ID, randomUUID()])
      expect((await client.post('/api/inbox/workspaces/switch', { workspaceId })).status).toBe(404);
  });

  it('never links people by email: a same-email user another admin made cannot be switched to', async () => {
    const email = `shared-${randomUUID().slice(0, 6)}@mail.example`;
    const { client } = await signUp('Shop One', email);
    // Someone else signs up with the same email (they cannot prove it is theirs; nor can the first).
    const { client: stranger } = await signUp('Shop Two', email);
    const theirs = (await stranger.get('/api/inbox/session')).body.user.workspaceId as string;
    expect((await client.get('/api/inbox/workspaces')).body.workspaces).toHaveLength(1);
    expect((await client.post('/api/inbox/workspaces/switch', { workspaceId: theirs })).status).toBe(404);
  });

  it('asks which workspace only once the password matched, naming only the workspaces it opens', async () => {
    const email = `twice-${randomUUID().slice(0, 6)}@mail.example`;
    const { client: first } = await signUp('Bakery <One>', email);
    const { client: second } = await signUp('Bakery Two', email);
    const one = (await first.get('/api/inbox/session')).body.user.workspaceId as string;
    const two = (await second.get('/api/inbox/session')).body.user.workspaceId as string;
    // A third workspace with the same email but another password: never named to this password.
    const stranger = await signUp('Not Yours', email.replace('twice', 'x'));
    const third = (await stranger.client.get('/api/inbox/session')).body.user.workspaceId as string;
    const invite = await stranger.client.post('/api/inbox/invites', {
      email,
      displayName: 'Twice',
      role: 'agent',
    });
    const inviteToken = (invite.body.path as string).split('/invite/')[1]!;
    const accepted = await new InboxClient(inbox.url).post('/api/inbox/invites/accept', {
      token: inviteToken,
      password: 'another long password',
    });
    expect(accepted.status).toBe(200);

    const wrong = await new InboxClient(inbox.url).login(email, 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({ code: 'UNAUTHENTICATED', message: 'Wrong email or password.' });

    const asked = await new InboxClient(inbox.url).login(email, PASSWORD);
    expect(asked.status).toBe(409);
    expect(asked.setCookie.some((c) => c.startsWith('sb_inbox_session='))).toBe(false);
    expect(asked.body.error).toMatchObject({ code: 'WORKSPACE_CHOICE_REQUIRED' });
    expect(asked.body.error.workspaces).toEqual([
      { workspaceId: one, name: 'Bakery <One>' },
      { workspaceId: two, name: 'Bakery Two' },
    ]);
    // The other password opens only the third workspace: signed in there, nothing to choose.
    const other = new InboxClient(inbox.url);
    expect((await other.login(email, 'another long password')).body.user.workspaceId).toBe(third);

    const chooser = new InboxClient(inbox.url);
    const chosen = await chooser.request('POST', '/api/inbox/session', {
      email,
      password: PASSWORD,
      workspaceId: two,
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body.user.workspaceId).toBe(two);
    // Choosing a workspace this password does not open is a wrong password, not a hint.
    const guessed = await new InboxClient(inbox.url).request('POST', '/api/inbox/session', {
      email,
      password: PASSWORD,
      workspaceId: third,
    });
    expect(guessed.status).toBe(401);
  });

  it('links the invited row to a signed-in person who accepts with their email, and switches them there', async () => {
    const email = `joiner-${randomUUID().slice(0, 6)}@mail.example`;
    const { client: joiner } = await signUp('Joiner Home', email);
    const home = (await joiner.get('/api/inbox/session')).body.user.workspaceId as string;
    const { client: host } = await signUp('Host Shop', `host-${randomUUID().slice(0, 6)}@mail.example`);
    const hostWorkspace = (await host.get('/api/inbox/session')).body.user.workspaceId as string;
    const invite = async (to: string) => {
      const created = await host.post('/api/inbox/invites', {
        email: to,
        displayName: 'Joiner',
        role: 'agent',
      });
      expect(created.status).toBe(201);
      return (created.body.path as string).split('/invite/')[1]!;
    };

    // Someone signed in as another email cannot take an invite into their account.
    const notMine = await invite(`someone-${randomUUID().slice(0, 6)}@mail.example`);
    const refused = await joiner.post('/api/inbox/invites/join', { token: notMine });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('sign out');
    // The refusal left the invite usable.
    expect((await host.post('/api/inbox/invites/lookup', { token: notMine })).status).toBe(200);

    const token = await invite(email.toUpperCase());
    const lookup = await new InboxClient(inbox.url).post('/api/inbox/invites/lookup', { token });
    expect(lookup.body).toMatchObject({ email, workspaceName: 'Host Shop', role: 'agent' });
    const joined = await joiner.post('/api/inbox/invites/join', { token });
    expect(joined.status).toBe(200);
    expect(joined.body.user).toMatchObject({ workspaceId: hostWorkspace, email, role: 'agent' });
    joiner.csrfToken = joined.body.csrfToken as string;
    expect((await joiner.get('/api/inbox/session')).body.user.workspaceId).toBe(hostWorkspace);
    expect((await joiner.get('/api/inbox/workspaces')).body.workspaces).toEqual([
      { workspaceId: hostWorkspace, name: 'Host Shop', role: 'agent', current: true },
      { workspaceId: home, name: 'Joiner Home', role: 'admin', current: false },
    ]);
    // Registered with routing as the host's agent.
    expect((await inbox.routing.getAgent(hostWorkspace, joined.body.user.id as string)).displayName).toBe(
      'Founder',
    );
    // Switches back without a password; one sign-in, no workspace to choose.
    const back = await joiner.post('/api/inbox/workspaces/switch', { workspaceId: home });
    expect(back.status).toBe(200);
    joiner.csrfToken = back.body.csrfToken as string;
    const again = new InboxClient(inbox.url);
    expect((await again.login(email, PASSWORD)).status).toBe(200);
    // The link is spent.
    expect((await joiner.post('/api/inbox/invites/join', { token })).status).toBe(404);
  });

  it("shows the operator every workspace with its counts, a page at a time, and no admin anyone else's", async () => {
    const operator = new InboxClient(inbox.url);
    const signedIn = await operator.login(inbox.adminEmail, inbox.adminPassword);
    // The default workspace's first admin operates the installation.
    expect(signedIn.body.user.operator).toBe(true);
    expect((await operator.get('/api/inbox/session')).body.user.operator).toBe(true);

    const { client: founder } = await signUp(
      'Counted <b>Shop</b>',
      `counted-${randomUUID().slice(0, 6)}@shop.example`,
    );
    const counted = (await founder.get('/api/inbox/session')).body.user.workspaceId as string;
    await founder.post('/api/inbox/invites', { email: 'x@shop.example', displayName: 'X', role: 'agent' });
    const customer = inbox.history.addCustomer(counted);
    inbox.history.addConversation(customer);
    inbox.history.addConversation(customer, { status: 'resolved' });
    await inbox.smsChannel.upsertSmsNumber(counted, {
      phoneNumber: '+14155550199',
      accountSid: `AC${'1'.repeat(32)}`,
      authToken: 'token',
    });
    await inbox.webChannel.updateWidgetSettings(counted, { allowedOrigins: ['https://counted.example'] });

    const all: { id: string }[] = [];
    let pageToken: string | null = null;
    do {
      const path: string = `/api/inbox/operator/workspaces?pageSize=2${pageToken ? `&pageToken=${pageToken}` : ''}`;
      const page = await operator.get(path);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      all.push(...(page.body.items as { id: string }[]));
      pageToken = page.body.nextPageToken as string | null;
    } while (pageToken);
    const ids = all.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe(DEFAULT_WORKSPACE_ID);
    expect(all.find((w) => w.id === counted)).toEqual({
      id: counted,
      name: 'Counted <b>Shop</b>',
      timeZone: 'Europe/Paris',
      members: 1,
      admins: [expect.stringMatching(/^counted-/)],
      channels: 2,
      conversations: 2,
      createdAt: expect.any(String),
    });
    expect(
      (await operator.get('/api/inbox/operator/workspaces?pageToken=bm90LWEtdG9rZW4')).body.error
        .fieldViolations,
    ).toEqual([{ field: 'pageToken', description: 'from a previous page' }]);

    // A workspace's admin — of this workspace or the default one — is not the operator.
    expect((await founder.get('/api/inbox/operator/workspaces')).status).toBe(403);
    expect((await founder.get('/api/inbox/session')).body.user.operator).toBe(false);
    const secondAdmin = await founder.post('/api/inbox/workspaces', { name: 'Founder Two' });
    expect(secondAdmin.status).toBe(201);
    expect((await new InboxClient(inbox.url).get('/api/inbox/operator/workspaces')).status).toBe(401);

    // `npm run workspace -- operator` names another one, at once; --revoke takes it back.
    const workspaces = inbox.app.get(WorkspacesService);
    const founderEmail = (await founder.get('/api/inbox/session')).body.user.email as string;
    expect((await workspaces.setOperator(counted, founderEmail.toUpperCase(), true)).operator).toBe(true);
    expect((await founder.get('/api/inbox/operator/workspaces')).status).toBe(200);
    await workspaces.setOperator(counted, founderEmail, false);
    expect((await founder.get('/api/inbox/operator/workspaces')).status).toBe(403);
    await expect(workspaces.setOperator(counted, 'nobody@shop.example', true)).rejects.toThrow('not found');
  });

  it('closes the sign-up page when the operator switches it off', async () => {
    const closed = await startInboxTestApp('inbox_signup_off', { env: { INBOX_SIGNUP_ENABLED: 'false' } });
    try {
      const client = new InboxClient(closed.url);
      expect((await client.get('/api/inbox/signup')).body).toEqual({ enabled: false });
      const refused = await client.post('/api/inbox/signup', {
        workspaceName: 'Nope',
        displayName: 'No One',
        email: 'no@one.example',
        password: PASSWORD,
      });
      expect(refused.status).toBe(404);
    } finally {
      await closed.close();
    }
  });
  it('limits sign-ups per address (429 with Retry-After), not other addresses nor their sign-ins', async () => {
    // Addresses played through X-Forwarded-For from a trusted proxy (loopback).
    const open = await startInboxTestApp('inbox_signup_limit', { env: { TRUSTED_PROXIES: '127.0.0.1,::1' } });
    try {
      const from = (address: string) => {
        const client = new InboxClient(open.url);
        client.headers = { 'x-forwarded-for': address };
        return client;
      };
      const signUpFrom = (address: string, n: number) =>
        from(address).post('/api/inbox/signup', {
          workspaceName: `Shop ${n}`,
          displayName: 'Founder',
          email: `founder-${randomUUID().slice(0, 8)}@shop.example`,
          password: PASSWORD,
        });
      for (let n = 0; n < 5; n++) expect((await signUpFrom('203.0.113.7', n)).status).toBe(201);
      const refused = await signUpFrom('203.0.113.7', 5);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body.error.message).toContain('sign-ups');
      expect((await signUpFrom('198.51.100.9', 6)).status).toBe(201);
      // Sign-ups are not failed passwords: the address may still try to sign in.
      expect((await from('203.0.113.7').login('nobody@shop.example', 'not the password')).status).toBe(401);
    } finally {
      await open.close();
    }
  });
});
