import { randomUUID } from 'node:crypto';
import { settle, waitFor } from '@switchboard/testing';
import { visitorTokenHash } from '../src/contacts/identity-verification.util.js';
import { TranscriptNotifierService } from '../src/transcript/transcript-notifier.service.js';
import { type WebTestApp, WidgetClient, startWebTestApp } from './web-test-app.js';

/**
 * A reply reaches the sockets of the replica that stored it from the append's result, without
 * waiting for its NOTIFY (ADR 0157); other replicas' sockets by NOTIFY. Either way, each tab gets
 * every item once and in order, across replicas and a lost LISTEN connection.
 */
describe('replies on the consuming replica’s own sockets', () => {
  let t: WebTestApp;
  const clients: WidgetClient[] = [];

  beforeAll(async () => {
    t = await startWebTestApp('web_local');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A tab on `at` (this app or a replica) as a visitor: new, or the one whose token it is. */
  async function tab(at: { wsUrl: string; url: string }, token?: string) {
    const client = await WidgetClient.connect(at.wsUrl, at.url);
    clients.push(client);
    const welcome = await client.hello(token === undefined ? {} : { token });
    const visitorToken = token ?? (welcome.token as string);
    const { rows } = await t.db.query<{ visitor_id: string }>(
      'SELECT visitor_id FROM channels.web_contacts WHERE token_hash = $1',
      [visitorTokenHash(visitorToken)],
    );
    return { client, token: visitorToken, visitorId: rows[0]!.visitor_id, customerId: randomUUID() };
  }

  const textsOf = (client: WidgetClient) => client.items().map((item) => item.text);
  const seqsOf = (client: WidgetClient) => client.items().map((item) => item.seq);
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('keeps each tab’s items once and in order, on two replicas, through a lost LISTEN connection', async () => {
    const replica = await t.startReplica();
    try {
      const here = await tab(t);
      const there = await tab(replica, here.token);
      const other = await tab(replica);
      const to = (visitorId: string) => ({ kind: 'web_visitor' as const, address: visitorId });
      const as = (visitor: { customerId: string }) => ({ customerId: visitor.customerId });
      // Whichever replica consumes the workspace's partition, one of the two tabs of `here`'s
      // visitor is on it (sent from the append's result, then its NOTIFY skipped) and the other is not.
      for (let i = 1; i <= 10; i += 1) {
        await t.reply(to(here.visitorId), `reply ${i}`, as(here));
        await t.reply(to(other.visitorId), `other ${i}`, as(other));
      }
      // Both replicas' LISTEN connections lost mid-stream: each resyncs every socket from its last
      // seq while replies keep coming, locally and by NOTIFY.
      await t.db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'switchboard:channels_web:listen' AND datname = current_database()`,
      );
      for (let i = 11; i <= 20; i += 1) {
        await t.reply(to(here.visitorId), `reply ${i}`, as(here));
        await t.reply(to(other.visitorId), `other ${i}`, as(other));
      }
      const expected = upTo(20).map((i) => `reply ${i}`);
      for (const client of [here.client, there.client])
        await waitFor(() => client.items().length >= 20, {
          what: '20 replies on each tab',
          timeoutMs: 40_000,
        });
      await waitFor(() => other.client.items().length >= 20, {
        what: '20 replies on the other',
        timeoutMs: 40_000,
      });
      // Time for a late NOTIFY or a resync's replay to show a duplicate, were there one.
      await settle(1_000);
      expect(textsOf(here.client)).toEqual(expected);
      expect(textsOf(there.client)).toEqual(expected);
      expect(seqsOf(here.client)).toEqual(upTo(20));
      expect(seqsOf(there.client)).toEqual(upTo(20));
      expect(textsOf(other.client)).toEqual(upTo(20).map((i) => `other ${i}`));
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await replica.close();
    }
  });

  // Last: it leaves the app without its LISTEN connection.
  it('sends a reply to the consuming replica’s sockets without waiting for its NOTIFY', async () => {
    const { client, visitorId } = await tab(t);
    const to = { kind: 'web_visitor' as const, address: visitorId };
    await t.reply(to, 'first');
    await waitFor(() => client.items().length === 1, { what: 'the first reply', timeoutMs: 40_000 });
    // This replica (the only one, so the consuming one) hears no NOTIFY from now on.
    await t.app.get(TranscriptNotifierService).onApplicationShutdown();
    for (let i = 2; i <= 6; i += 1) await t.reply(to, `reply ${i}`);
    await waitFor(() => client.items().length >= 6, {
      what: 'the replies without NOTIFY',
      timeoutMs: 40_000,
    });
    await settle(500);
    expect(textsOf(client)).toEqual(['first', 'reply 2', 'reply 3', 'reply 4', 'reply 5', 'reply 6']);
    expect(seqsOf(client)).toEqual(upTo(6));
  });
});
