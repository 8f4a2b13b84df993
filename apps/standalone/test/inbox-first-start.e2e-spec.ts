import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  startAppProcess,
  waitFor,
} from '@switchboard/testing';
import { randomBytes } from 'node:crypto';

/**
 * `npm start` with no ADMIN_PASSWORD: the first start prints a generated password once, which
 * signs in at the inbox the standalone serves; a second start prints nothing.
 */
describe('standalone: the inbox on first start', () => {
  let database: TestDatabase;
  let app: AppProcess | undefined;
  // One key for both starts, as a deployment keeps it: what the first start sealed, the second opens.
  const encryptionKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    database = await createTestDatabase('standalone_inbox');
  });
  afterAll(async () => {
    await app?.stop('SIGTERM');
    await database?.drop();
  });

  const start = async () => {
    const process = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      SWITCHBOARD_ENCRYPTION_KEY: encryptionKey,
      ADMIN_EMAIL: 'owner@example.test',
    });
    await process.waitUntilReady(60_000);
    return process;
  };

  it('prints a generated admin password once, and serves the inbox it signs in to', async () => {
    app = await start();
    const printed = await waitFor(() => /password {2}(\S+)/.exec(app!.output())?.[1], {
      what: 'the generated password on stdout',
    });
    expect(printed.length).toBeGreaterThanOrEqual(20);

    const page = await fetch(`${app.url}/inbox/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const script = /src="(\/inbox\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${app.url}${script}`)).headers.get('content-type')).toMatch(/javascript/);

    const login = await fetch(`${app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ email: 'owner@example.test', password: printed }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin');

    expect(await app.stop('SIGTERM')).toBe(0);
    app = await start();
    await fetch(`${app.url}/healthz`);
    expect(app.output()).not.toMatch(/password {2}/);
  });
});
