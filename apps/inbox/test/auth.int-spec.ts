import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { waitFor } from '@switchboard/testing';
import { InboxClient } from './inbox-client.fixture.js';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { LOGIN_LIMITS } from '../src/auth/login-rate-limiter.service.js';

/** Sign-in, sessions, CSRF, rate limits, invites and roles, over HTTP on the real PostgreSQL. */
describe('inbox sign-in and users', () => {
  let inbox: InboxTestApp;
  let db: pg.Client;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_auth');
    db = new pg.Client({ connectionString: inbox.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await inbox?.close();
  });

  const admin = async () => {
    const client = new InboxClient(inbox.url);
    expect((await client.login(inbox.adminEmail, inbox.adminPassword)).status).toBe(200);
    return client;
  };

  it('creates the first admin from ADMIN_EMAIL and ADMIN_PASSWORD, hashed with argon2id, once', async () => {
    const rows = await db.query('SELECT email, role, password_hash, workspace_id FROM inbox.users');
    expect(rows.rows).toEqual([
      expect.objectContaining({ email: inbox.adminEmail, role: 'admin', workspace_id: DEFAULT_WORKSPACE_ID }),
    ]);
    expect(rows.rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // A second replica on the same database finds the admin and creates nobody.
    const second = await startInboxTestApp('inbox_auth_2', {
      database: inbox.database,
      env: { ADMIN_PASSWORD: 'another password!!' },
    });
    await second.close();
    expect((await db.query('SELECT count(*)::int AS n FROM inbox.users')).rows[0].n).toBe(1);
  });

  it('signs in with an httpOnly SameSite cookie whose token is stored only as a hash', async () => {
    const client = new InboxClient(inbox.url);
    const response = await client.login(inbox.adminEmail.toUpperCase(), inbox.adminPassword);
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ email: inbox.adminEmail, role: 'admin' });
    expect(response.body.user.passwordHash).toBeUndefined();
    const cookie = response.setCookie.find((c) => c.startsWith('sb_inbox_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const token = client.cookie!.split('=')[1]!;
    const stored = await db.query('SELECT count(*)::int AS n FROM inbox.sessions WHERE token_hash = $1', [
      Buffer.from(token),
    ]);
    expect(stored.rows[0].n).toBe(0);
    const me = await client.get('/api/inbox/session');
    expect(me.status).toBe(200);
    expect(me.body.csrfToken).toBe(client.csrfToken);

    const anonymous = new InboxClient(inbox.url);
    expect((await anonymous.get('/api/inbox/session')).status).toBe(401);
    expect((await anonymous.login(inbox.adminEmail, 'wrong password')).body.error).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'Wrong email or password.',
    });
  });

  it('refuses state-changing requests without the CSRF token or from another origin', async () => {
    const client = await admin();
    const body = { shortcut: 'hello', title: 'Hello', body: 'Hello!' };
    const noToken = await client.request('POST', '/api/inbox/canned-responses', body, { 'x-csrf-token': '' });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.message).toMatch(/CSRF/);
    const otherOrigin = await client.request('POST', '/api/inbox/canned-responses', body, {
      origin: 'https://evil.example',
    });
    expect(otherOrigin.status).toBe(403);
    expect(otherOrigin.body.error.message).toMatch(/cross-origin/);
    // The sign-in form itself is Origin-checked too (login CSRF).
    const forgedLogin = await new InboxClient(inbox.url, 'https://evil.example').login(
      inbox.adminEmail,
      inbox.adminPassword,
    );
    expect(forgedLogin.status).toBe(403);
    expect((await client.post('/api/inbox/canned-responses', body)).status).toBe(201);
  });

  it('rate-limits failed sign-ins per account and address, even with the right password afterwards', async () => {
    const email = `limited-${randomUUID()}@example.test`;
    await createUser(email, 'agent');
    const client = new InboxClient(inbox.url);
    for (let i = 0; i < LOGIN_LIMITS.perAccountAndAddress; i++) {
      expect((await client.login(email, `wrong-${i}`)).status).toBe(401);
    }
    const blocked = await client.login(email, 'the right password');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toMatch(/Too many failed sign-ins\. Try again in \d+ minutes\./);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(LOGIN_LIMITS.windowSeconds - 60);
    // Once the window has passed, the right password works again.
    await db.query(`UPDATE inbox.login_failures SET at = at - interval '1 hour' WHERE account_key = $1`, [
      email,
    ]);
    expect((await client.login(email, 'the right password')).status).toBe(200);
  });

  it('rate-limits failed sign-ins per IP across accounts', async () => {
    await db.query('DELETE FROM inbox.login_failures');
    await db.query(
      `INSERT INTO inbox.login_failures (account_key, ip)
       SELECT 'sprayed-' || i || '@example.test', ip FROM generate_series(1, $1) i,
       (SELECT DISTINCT ip FROM inbox.login_failures UNION SELECT '::ffff:127.0.0.1' UNION SELECT '127.0.0.1') ips`,
      [LOGIN_LIMITS.perAddress],
    );
    const response = await new InboxClient(inbox.url).login(inbox.adminEmail, inbox.adminPassword);
    expect(response.status).toBe(429);
    await db.query('DELETE FROM inbox.login_failures');
    expect((await new InboxClient(inbox.url).login(inbox.adminEmail, inbox.adminPassword)).status).toBe(200);
  });

  it('ends the session on logout', async () => {
    const client = await admin();
    const cookie = client.cookie;
    expect((await client.delete('/api/inbox/session')).status).toBe(204);
    expect(client.cookie).toBeUndefined();
    client.cookie = cookie;
    expect((await client.get('/api/inbox/session')).status).toBe(401);
  });

  it('ends every session of the user on password change, and keeps this browser signed in', async () => {
    const email = `changer-${randomUUID()}@example.test`;
    await createUser(email, 'agent');
    const here = new InboxClient(inbox.url);
    const elsewhere = new InboxClient(inbox.url);
    await here.login(email, 'the right password');
    await elsewhere.login(email, 'the right password');
    const oldCookie = here.cookie;

    const tooShort = await here.post('/api/inbox/session/password', {
      currentPassword: 'the right password',
      newPassword: 'short',
    });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.fieldViolations).toEqual([
      { field: 'password', description: 'at least 12 characters' },
    ]);
    expect(
      (
        await here.post('/api/inbox/session/password', {
          currentPassword: 'nope',
          newPassword: 'a new password!',
        })
      ).status,
    ).toBe(403);

    const changed = await here.post('/api/inbox/session/password', {
      currentPassword: 'the right password',
      newPassword: 'a new password!',
    });
    expect(changed.status).toBe(200);
    here.csrfToken = changed.body.csrfToken;
    expect(here.cookie).not.toBe(oldCookie);
    expect((await here.get('/api/inbox/session')).status).toBe(200);
    expect((await elsewhere.get('/api/inbox/session')).status).toBe(401);
    here.cookie = oldCookie;
    expect((await here.get('/api/inbox/session')).status).toBe(401);
    expect((await new InboxClient(inbox.url).login(email, 'the right password')).status).toBe(401);
    expect((await new InboxClient(inbox.url).login(email, 'a new password!')).status).toBe(200);
  });

  it('invites an agent by a single-use, expiring link and registers them with routing', async () => {
    const client = await admin();
    const email = `invitee-${randomUUID()}@example.test`;
    const created = await client.post('/api/inbox/invites', { email, displayName: 'Ada', role: 'agent' });
    expect(created.status).toBe(201);
    const token = (created.body.path as string).split('/invite/')[1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body.link).toBe(`${inbox.url}/inbox/#/invite/${token}`);
    expect(
      (
        await db.query('SELECT count(*)::int AS n FROM inbox.invites WHERE token_hash = $1', [
          Buffer.from(token),
        ])
      ).rows[0].n,
    ).toBe(0);

    const visitor = new InboxClient(inbox.url);
    expect((await visitor.post('/api/inbox/invites/lookup', { token })).body).toMatchObject({
      email,
      role: 'agent',
      displayName: 'Ada',
    });
    const weak = await visitor.post('/api/inbox/invites/accept', { token, password: 'short' });
    expect(weak.status).toBe(400);
    // Two tabs racing on one link: one user.
    const [first, second] = await Promise.all([
      new InboxClient(inbox.url).post('/api/inbox/invites/accept', { token, password: 'ada lovelace 1815' }),
      new InboxClient(inbox.url).post('/api/inbox/invites/accept', { token, password: 'ada lovelace 1815' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 404]);
    const accepted = first.status === 200 ? first : second;
    expect(accepted.body.user).toMatchObject({ email, role: 'agent', displayName: 'Ada' });
    expect(await inbox.routing.getAgent(DEFAULT_WORKSPACE_ID, accepted.body.user.id as string)).toMatchObject(
      {
        displayName: 'Ada',
      },
    );
    expect(
      (await visitor.post('/api/inbox/invites/accept', { token, password: 'ada lovelace 1815' })).status,
    ).toBe(404);

    const late = await client.post('/api/inbox/invites', {
      email: `late-${randomUUID()}@example.test`,
      displayName: 'Late',
      role: 'agent',
    });
    const lateToken = (late.body.path as string).split('/invite/')[1]!;
    await db.query(`UPDATE inbox.invites SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      late.body.invite.id,
    ]);
    expect(
      (await visitor.post('/api/inbox/invites/accept', { token: lateToken, password: 'long enough pw' }))
        .status,
    ).toBe(404);
  });

  it('lets only admins invite and set roles, and keeps one admin', async () => {
    const email = `agent-${randomUUID()}@example.test`;
    const userId = await createUser(email, 'agent');
    const agent = new InboxClient(inbox.url);
    await agent.login(email, 'the right password');
    expect(
      (await agent.post('/api/inbox/invites', { email: 'x@example.test', displayName: 'X', role: 'admin' }))
        .status,
    ).toBe(403);
    expect((await agent.patch(`/api/inbox/users/${userId}`, { role: 'admin' })).status).toBe(403);
    expect((await agent.get('/api/inbox/invites')).status).toBe(403);

    const client = await admin();
    const promoted = await client.patch(`/api/inbox/users/${userId}`, { role: 'supervisor' });
    expect(promoted.body).toMatchObject({ id: userId, role: 'supervisor' });
    // The role takes effect on the existing session at once.
    expect((await agent.get('/api/inbox/session')).body.user.role).toBe('supervisor');

    const adminId = (await client.get('/api/inbox/session')).body.user.id;
    const demoteSelf = await client.patch(`/api/inbox/users/${adminId}`, { role: 'agent' });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body.error.message).toBe('the workspace must keep at least one admin');

    const disabled = await client.patch(`/api/inbox/users/${userId}`, { disabled: true });
    expect(disabled.body.disabled).toBe(true);
    expect((await agent.get('/api/inbox/session')).status).toBe(401);
    expect((await new InboxClient(inbox.url).login(email, 'the right password')).status).toBe(401);
  });

  it('stops a session cached by another replica when it is changed, ended, or its notifications were lost', async () => {
    // Each replica caches the sessions it authenticated (ADR 0133); every change reaches both.
    const other = await startInboxTestApp('inbox_auth_3', { database: inbox.database });
    try {
      const email = `cached-${randomUUID()}@example.test`;
      const userId = await createUser(email, 'agent');
      const here = new InboxClient(inbox.url);
      await here.login(email, 'the right password');
      const there = new InboxClient(other.url);
      const me = async (client: InboxClient) => {
        const response = await client.get('/api/inbox/session');
        return response.status === 200 ? (response.body.user.role as string) : response.status;
      };
      const onBoth = async (expected: string | number, what: string) => {
        for (const [client, where] of [
          [here, 'this replica'],
          [there, 'the other replica'],
        ] as const) {
          await waitFor(async () => (await me(client)) === expected, { what: `${what} on ${where}` });
        }
      };
      there.cookie = here.cookie;
      await onBoth('agent', 'the session');

      // Changed in the database by someone else (the workspace CLI, an operator's SQL).
      await db.query(`UPDATE inbox.users SET role = 'supervisor' WHERE id = $1`, [userId]);
      await onBoth('supervisor', 'the new role');

      // While a replica cannot hear the notifications it caches nothing; back, it forgets what it had.
      const listeners = await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'switchboard:inbox:sessions:listen' AND datname = current_database()`,
      );
      expect(listeners.rowCount).toBe(2);
      await db.query(`UPDATE inbox.users SET role = 'agent' WHERE id = $1`, [userId]);
      await onBoth('agent', 'the role changed while the notifications were lost');
      await waitFor(
        async () =>
          (
            await db.query(
              `SELECT 1 FROM pg_stat_activity
                WHERE application_name = 'switchboard:inbox:sessions:listen' AND datname = current_database()`,
            )
          ).rowCount === 2,
        { what: 'both replicas listening again' },
      );
      await onBoth('agent', 'the session after the listeners are back');

      // Signed out on this replica: refused here at once, and on the other as soon as it hears of it.
      expect((await here.delete('/api/inbox/session')).status).toBe(204);
      here.cookie = there.cookie;
      expect(await me(here)).toBe(401);
      await onBoth(401, 'the signed-out session');
    } finally {
      await other.close();
    }
  });

  it("reads another workspace's users, invites and canned responses as not found", async () => {
    // A second workspace as a business makes one: signed up, its admin signed in.
    const otherEmail = `other-${randomUUID()}@example.test`;
    const other = new InboxClient(inbox.url);
    const signedUp = await other.post('/api/inbox/signup', {
      workspaceName: 'Other',
      displayName: 'Other admin',
      email: otherEmail,
      password: 'the right password',
    });
    expect(signedUp.status).toBe(201);
    const { workspace, user, csrfToken } = signedUp.body as {
      workspace: { id: string };
      user: { id: string };
      csrfToken: string;
    };
    const otherWorkspace = workspace.id;
    const otherUser = user.id;
    other.csrfToken = csrfToken;
    const theirCanned = await other.post('/api/inbox/canned-responses', {
      shortcut: 'bye',
      title: 'Bye',
      body: 'Bye',
    });
    expect(theirCanned.status).toBe(201);

    const client = await admin();
    expect((await client.patch(`/api/inbox/users/${otherUser}`, { role: 'agent' })).status).toBe(404);
    expect((await client.patch('/api/inbox/users/not-a-uuid', { role: 'agent' })).status).toBe(404);
    expect(
      (
        await client.put(`/api/inbox/canned-responses/${theirCanned.body.id}`, {
          shortcut: 'x',
          title: 'x',
          body: 'x',
        })
      ).status,
    ).toBe(404);
    expect((await client.delete(`/api/inbox/canned-responses/${theirCanned.body.id}`)).status).toBe(404);
    const users = (await client.get('/api/inbox/users')).body.users as { email: string }[];
    expect(users.map((u) => u.email)).not.toContain(otherEmail);
    const canned = (await client.get('/api/inbox/canned-responses')).body.cannedResponses as {
      shortcut: string;
    }[];
    expect(canned.map((c) => c.shortcut)).not.toContain('bye');
    // The same email may exist in two workspaces: the sign-in then asks which one (ADR 0058).
    await createUser(otherEmail, 'agent');
    const ambiguous = await new InboxClient(inbox.url).login(otherEmail, 'the right password');
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.code).toBe('WORKSPACE_CHOICE_REQUIRED');
    const chosen = await new InboxClient(inbox.url).request('POST', '/api/inbox/session', {
      email: otherEmail,
      password: 'the right password',
      workspaceId: otherWorkspace,
    });
    expect(chosen.body.user.workspaceId).toBe(otherWorkspace);
  });

  async function createUser(
    email: string,
    role: string,
    workspaceId = DEFAULT_WORKSPACE_ID,
  ): Promise<string> {
    const { hash } = await import('@node-rs/argon2');
    const id = randomUUID();
    await db.query(
      `INSERT INTO inbox.users (id, workspace_id, email, display_name, role, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, workspaceId, email, email.split('@')[0], role, await hash('the right password')],
    );
    return id;
  }
});
