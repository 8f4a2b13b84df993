import { randomUUID } from 'node:crypto';
import { waitFor } from '@switchboard/testing';
import { userHash } from '../src/contacts/identity-verification.util.js';
import { CLOSE_IDENTITY_INVALID, CLOSE_ORIGIN_REFUSED } from '../src/sessions/widget-protocol.js';
import { type WebTestApp, WidgetClient, startWebTestApp } from './web-test-app.js';

/** What the identity-verification guide promises for a rotated secret, and an origin taken off the list. */
const PROMISED_MS = 10_000;

/**
 * Open widget sockets and the site's credentials, on the real PostgreSQL and Kafka with two
 * replicas: a user verified with an identity secret that was rotated since (a leaked secret lets
 * anyone sign in as anyone) loses the socket within 10 s, on the replica that rotated it and on
 * the other; so does a socket from an origin no longer allowed. Anonymous visitors of an allowed
 * origin go on.
 */
describe('widget sockets and rotated credentials', () => {
  let t: WebTestApp;
  let replica: { url: string; wsUrl: string; close(): Promise<void> };

  beforeAll(async () => {
    t = await startWebTestApp('web_credentials_recheck');
    replica = await t.startReplica();
  });
  afterAll(async () => {
    await replica?.close();
    await t?.close();
  });

  /** The close code, or a failure once `ms` has passed with the socket still open. */
  const closedWithin = async (client: WidgetClient, ms: number) => {
    const started = Date.now();
    const code = await waitFor(() => client.closeCode, {
      what: 'the socket to close',
      timeoutMs: ms + 5_000,
    });
    return { code, ms: Date.now() - started };
  };

  it('closes sockets of users verified with a secret rotated since, here and on the other replica', async () => {
    const { identitySecret } = await t.settings.get(t.workspaceId);
    const user = { id: `user-${randomUUID()}`, email: 'ada@example.com' };
    const signed = { ...user, hash: userHash(identitySecret, user) };
    const here = await WidgetClient.connect(t.wsUrl, t.url);
    const there = await WidgetClient.connect(replica.wsUrl, replica.url);
    const anonymous = await WidgetClient.connect(replica.wsUrl, replica.url);
    expect((await here.hello({ user: signed })).contact).toMatchObject({ verified: true });
    expect((await there.hello({ user: signed })).contact).toMatchObject({ verified: true });
    await anonymous.hello();

    await t.settings.rotateIdentitySecret(t.workspaceId);
    const [closedHere, closedThere] = await Promise.all([
      closedWithin(here, PROMISED_MS),
      closedWithin(there, PROMISED_MS),
    ]);
    expect(closedHere.code).toBe(CLOSE_IDENTITY_INVALID);
    expect(closedThere.code).toBe(CLOSE_IDENTITY_INVALID);
    expect(closedThere.ms).toBeLessThan(PROMISED_MS);
    // The old hash does not verify a new socket either; the anonymous visitor chats on.
    const again = await WidgetClient.connect(replica.wsUrl, replica.url);
    again.send({ t: 'hello', user: signed });
    expect((await closedWithin(again, 5_000)).code).toBe(CLOSE_IDENTITY_INVALID);
    expect(anonymous.closeCode).toBeUndefined();
    const { identitySecret: rotated } = await t.settings.get(t.workspaceId);
    const resigned = await WidgetClient.connect(replica.wsUrl, replica.url);
    expect(
      (await resigned.hello({ user: { ...user, hash: userHash(rotated, user) } })).contact,
    ).toMatchObject({
      verified: true,
    });
    resigned.socket.close();
    anonymous.socket.close();
  });

  it('closes sockets from an origin taken off the allowed list', async () => {
    const shop = 'https://shop.example.com';
    await t.settings.update(t.workspaceId, { allowedOrigins: [shop] });
    const fromShop = await waitFor(
      async () => {
        const client = await WidgetClient.connect(replica.wsUrl, shop);
        await new Promise((resolve) => setTimeout(resolve, 200));
        return client.closeCode === undefined ? client : null;
      },
      { what: 'the shop’s origin accepted on the other replica', timeoutMs: 15_000, intervalMs: 1_000 },
    );
    // A second tab of the shop: the round judges an origin once and closes every socket from it.
    const fromShopToo = await WidgetClient.connect(replica.wsUrl, shop);
    const ours = await WidgetClient.connect(replica.wsUrl, replica.url);
    await ours.hello();
    expect(fromShopToo.closeCode).toBeUndefined();

    await t.settings.update(t.workspaceId, { allowedOrigins: [] });
    const closed = await closedWithin(fromShop, PROMISED_MS);
    expect(closed.code).toBe(CLOSE_ORIGIN_REFUSED);
    expect(closed.ms).toBeLessThan(PROMISED_MS);
    expect((await closedWithin(fromShopToo, 1_000)).code).toBe(CLOSE_ORIGIN_REFUSED);
    // Our own origin is always allowed: its socket stays.
    expect(ours.closeCode).toBeUndefined();
    ours.socket.close();
  });
});
