import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { LOGIN_LIMITS } from '../src/auth/login-rate-limiter.service.js';
import { InboxClient, type InboxResponse } from './inbox-client.fixture.js';
import { type InboxTestApp, startInboxTestApp } from './inbox-test-app.fixture.js';

/**
 * Password guessing against the inbox (ADR 0056), over HTTP on the real PostgreSQL: a guesser is
 * stopped per account and address, a distributed guesser per account, the password change counts
 * with sign-in; and no stranger can lock the real user out: they still sign in from their own
 * address, and from their own browser even while the account is under attack from many.
 */
describe('inbox sign-in limits', () => {
  let inbox: InboxTestApp;
  let db: pg.Client;
  const password = 'the right password';

  beforeAll(async () => {
    // The test plays every address through X-Forwarded-For from a trusted proxy (loopback).
    inbox = await startInboxTestApp('inbox_sign_in_limits', {
      env: { TRUSTED_PROXIES: '127.0.0.1,::1' },
    });
    db = new pg.Client({ connectionString: inbox.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await inbox?.close();
  });

  const from = (address: string) => {
    const client = new InboxClient(inbox.url);
    client.headers = { 'x-forwarded-for': address };
    return client;
  };

  const createUser = async (role = 'admin') => {
    const email = `${role}-${randomUUID()}@example.test`;
    const { hash } = await import('@node-rs/argon2');
    await db.query(
      `INSERT INTO inbox.users (id, workspace_id, email, display_name, role, password_hash)
       VALUES ($1, '00000000-0000-4000-8000-000000000001', $2, 'Someone', $3, $4)`,
      [randomUUID(), email, role, await hash(password)],
    );
    return email;
  };

  it('counts wrong current passwords in the password change with failed sign-ins: 429 with Retry-After', async () => {
    const email = await createUser('agent');
    const browser = from('198.51.100.7');
    expect((await browser.login(email, password)).status).toBe(200);
    const responses: InboxResponse[] = [];
    for (let i = 0; i < 8; i++) {
      responses.push(
        await browser.post('/api/inbox/session/password', {
          currentPassword: `guess number ${i}`,
          newPassword: 'a brand new password',
        }),
      );
    }
    const statuses = responses.map((r) => r.status);
    const limited = responses.at(-1)!;
    expect(statuses.slice(0, LOGIN_LIMITS.perAccountAndAddress)).toEqual(
      Array<number>(LOGIN_LIMITS.perAccountAndAddress).fill(403),
    );
    expect(statuses.slice(LOGIN_LIMITS.perAccountAndAddress)).toEqual(
      Array<number>(8 - LOGIN_LIMITS.perAccountAndAddress).fill(429),
    );
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(LOGIN_LIMITS.windowSeconds - 60);
    expect(limited.body.error.code).toBe('RESOURCE_EXHAUSTED');
    // Even the right current password waits now, and so does signing in from this browser.
    const right = await browser.post('/api/inbox/session/password', {
      currentPassword: password,
      newPassword: 'a brand new password',
    });
    expect(right.status).toBe(429);
    expect((await browser.login(email, password)).status).toBe(429);

    // And the other way round: failed sign-ins from an address count for its password changes
    // (here a session used without the browser's trust cookie, as a stolen session cookie is).
    const other = await createUser('agent');
    const tab = from('198.51.100.8');
    expect((await tab.login(other, password)).status).toBe(200);
    tab.deviceCookie = undefined;
    for (let i = 0; i < LOGIN_LIMITS.perAccountAndAddress; i++) {
      expect((await from('198.51.100.8').login(other, `wrong ${i}`)).status).toBe(401);
    }
    const change = await tab.post('/api/inbox/session/password', {
      currentPassword: 'still guessing',
      newPassword: 'a brand new password',
    });
    expect(change.status).toBe(429);
  });

  it('stops a guesser at its address; the admin still signs in from theirs', async () => {
    const email = await createUser();
    const guesser = from('203.0.113.66');
    for (let i = 0; i < LOGIN_LIMITS.perAccountAndAddress; i++) {
      expect((await guesser.login(email, `guess ${i}`)).status).toBe(401);
    }
    const stopped = await guesser.login(email, 'guess 5');
    expect(stopped.status).toBe(429);
    expect(Number(stopped.headers.get('retry-after'))).toBeGreaterThan(0);
    // The guesser's right guess would not get in either: the answer does not tell.
    expect((await guesser.login(email, password)).status).toBe(429);

    // The admin, from another address and a browser that never signed in before.
    const admin = from('192.0.2.10');
    expect((await admin.login(email, password)).status).toBe(200);
    expect((await admin.get('/api/inbox/session')).status).toBe(200);
  });

  it('slows a guesser spread over many addresses per account, but not the user’s own browser', async () => {
    const email = await createUser();
    // The real admin signed in from this browser before: it carries a trust cookie for the account.
    const adminBrowser = from('192.0.2.20');
    expect((await adminBrowser.login(email, password)).status).toBe(200);
    expect(adminBrowser.deviceCookie).toMatch(/^sb_inbox_device=[A-Za-z0-9_-]{43}$/);
    expect((await adminBrowser.delete('/api/inbox/session')).status).toBe(204);

    // A botnet: a few guesses from each of many addresses (IPv6 ones from different /64s).
    const perAddress = LOGIN_LIMITS.perAccountAndAddress - 1;
    const addresses = Math.ceil(LOGIN_LIMITS.perAccount / perAddress) + 1;
    for (let a = 0; a < addresses; a++) {
      const bot = from(a % 2 === 0 ? `203.0.113.${a + 1}` : `2001:db8:${a.toString(16)}::1`);
      for (let i = 0; i < perAddress; i++) await bot.login(email, `bot ${a} guess ${i}`);
    }
    // The account is now closed to browsers it does not know, even with the right password…
    const newcomer = from('198.51.100.99');
    const refused = await newcomer.login(email, password);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // …while the admin's own browser signs in, from any address.
    adminBrowser.headers = { 'x-forwarded-for': '198.51.100.100' };
    expect((await adminBrowser.login(email, password)).status).toBe(200);
    // A trust cookie is for its account only, and a stolen one is limited on its own.
    const thief = from('203.0.113.200');
    thief.deviceCookie = adminBrowser.deviceCookie;
    for (let i = 0; i < LOGIN_LIMITS.perDevice; i++) {
      expect((await thief.login(email, `stolen cookie guess ${i}`)).status).toBe(401);
    }
    expect((await thief.login(email, password)).status).toBe(429);
  });

  it('counts an IPv6 client by its /64, so rotating addresses within it gains nothing', async () => {
    const email = await createUser('agent');
    for (let i = 0; i < LOGIN_LIMITS.perAccountAndAddress; i++) {
      expect((await from(`2001:db8:aaaa:bbbb::${i + 1}`).login(email, `guess ${i}`)).status).toBe(401);
    }
    expect((await from('2001:db8:aaaa:bbbb:ffff::9').login(email, password)).status).toBe(429);
    expect((await from('2001:db8:aaaa:cccc::1').login(email, password)).status).toBe(200);
  });
});
