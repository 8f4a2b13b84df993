import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';
import { signedInUser } from './inbox-users.fixture.js';

const everything = { desktop: true, sound: true, onAssigned: true, onCustomerMessage: true, onMention: true };

/** Each person's notification settings, on the real PostgreSQL: their own only, validated, kept. */
describe('notification settings API', () => {
  let inbox: InboxTestApp;

  beforeAll(async () => {
    inbox = await startInboxTestApp('inbox_notify');
  });
  afterAll(async () => {
    await inbox?.close();
  });

  it('starts with everything on, keeps what a person sets, and shows it to no one else', async () => {
    const ann = await signedInUser(inbox, 'agent');
    const bob = await signedInUser(inbox, 'admin');
    const outsider = await signedInUser(inbox, 'admin', { workspaceId: randomUUID() });

    expect(await ann.client.get('/api/inbox/notification-settings')).toMatchObject({
      status: 200,
      body: everything,
    });
    const quiet = { ...everything, sound: false, onCustomerMessage: false };
    const saved = await ann.client.put('/api/inbox/notification-settings', quiet);
    expect(saved).toMatchObject({ status: 200, body: quiet });
    // Stored, not echoed: a fresh read (as another tab or browser would do) sees it.
    expect((await ann.client.get('/api/inbox/notification-settings')).body).toEqual(quiet);
    const again = await ann.client.put('/api/inbox/notification-settings', { ...quiet, desktop: false });
    expect(again.body).toEqual({ ...quiet, desktop: false });

    // Another person, an admin, or someone of another workspace: their own settings only.
    expect((await bob.client.get('/api/inbox/notification-settings')).body).toEqual(everything);
    expect((await outsider.client.get('/api/inbox/notification-settings')).body).toEqual(everything);
    const db = new pg.Client({ connectionString: inbox.database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM inbox.notification_settings');
      expect(rows.map((r) => r.user_id)).toEqual([ann.id]);
    } finally {
      await db.end();
    }
  });

  it('refuses what is not a complete set of switches, and strangers', async () => {
    const ann = await signedInUser(inbox, 'agent');
    const partial = await ann.client.put('/api/inbox/notification-settings', { sound: false });
    expect(partial.status).toBe(400);
    const violations = (partial.body as { error: { fieldViolations: { field: string }[] } }).error
      .fieldViolations;
    expect(violations.map((v) => v.field)).toEqual(expect.arrayContaining(['desktop', 'onAssigned']));
    const extra = await ann.client.put('/api/inbox/notification-settings', {
      ...everything,
      userId: randomUUID(),
    });
    expect(extra.status).toBe(400);
    const wrongType = await ann.client.put('/api/inbox/notification-settings', {
      ...everything,
      sound: 'yes',
    });
    expect(wrongType.status).toBe(400);
    // The CSRF token is required, as on every change.
    const forged = await ann.client.request('PUT', '/api/inbox/notification-settings', everything, {
      'x-csrf-token': 'forged',
    });
    expect(forged.status).toBe(403);
    const anonymous = await fetch(`${inbox.url}/api/inbox/notification-settings`);
    expect(anonymous.status).toBe(401);
  });
});
