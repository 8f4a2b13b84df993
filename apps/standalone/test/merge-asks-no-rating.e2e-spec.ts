import {
  type AppProcess,
  type StandaloneWithSms,
  openWidgetCustomer,
  signInToInboxApi,
  startStandaloneWithSms,
  testRunId,
  waitFor,
} from '@switchboard/testing';
import { createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';

const PHONE = '+14155550142';

/**
 * Issue 17, item 6, on the real Kafka broker and PostgreSQL: a signed-in web user chats, then the
 * site vouches for a phone an SMS customer already texts from, so history merges the two
 * customers and resolves one of their open conversations. That merge must not ask the web user
 * for a rating mid-chat; the conversation the agent then resolves asks once, and resolving it
 * again after a reopen asks nothing more.
 */
describe('standalone on Kafka: a merge asks no rating, a resolution asks once', () => {
  let standalone: StandaloneWithSms;
  let app: AppProcess;
  let db: pg.Pool;

  beforeAll(async () => {
    standalone = await startStandaloneWithSms('standalone_merge_csat', {
      readyTimeoutMs: 90_000,
      env: {
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
        KAFKA_TOPIC_PREFIX: `${testRunId()}.merge-csat-${randomUUID().slice(0, 8)}.`,
      },
    });
    app = standalone.app;
    db = new pg.Pool({ connectionString: standalone.database.url, max: 2 });
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await standalone?.close();
  });

  const adminSession = async () => (await signInToInboxApi(app.url, standalone.admin)).call;

  const widget = (widgetKey: string, user: object) => openWidgetCustomer<Item>(app.url, widgetKey, { user });

  const csatRows = async () =>
    (
      await db.query<{ conversation_id: string }>(
        "SELECT conversation_id FROM channels.web_transcript WHERE kind = 'csat' ORDER BY seq",
      )
    ).rows.map((r) => r.conversation_id);

  it('never asks for a rating on a merge, and asks once per resolved conversation', async () => {
    const admin = await adminSession();
    const settings = (await (await admin('GET', '/admin/channels/web')).json()) as {
      widgetKey: string;
      identitySecret: string;
    };
    const sign = (text: string) => createHmac('sha256', settings.identitySecret).update(text).digest('hex');

    // An SMS customer texts first: a customer with an open conversation.
    await standalone.text(PHONE, 'texting from my phone');

    // The signed-in web user chats before the site knows their phone: a second customer, a second
    // open conversation.
    const userId = `merge-user-${randomUUID().slice(0, 8)}`;
    const first = await widget(settings.widgetKey, { id: userId, hash: sign(userId), name: 'Pat' });
    first.say('hello from the web');
    const openConversations = () =>
      db.query<{ id: string; customer_id: string }>(
        "SELECT id, customer_id FROM history.conversations WHERE status <> 'resolved' ORDER BY opened_at",
      );
    await waitFor(async () => (await openConversations()).rowCount === 2, {
      what: 'two customers, each with an open conversation',
      timeoutMs: 30_000,
    });

    // Now the site vouches for the phone: history links it and merges the two customers.
    const withPhone = await widget(settings.widgetKey, {
      id: userId,
      phone: PHONE,
      hash: sign(`${userId}\n\n${PHONE}`),
      name: 'Pat',
    });
    withPhone.say('it is me, the texter');
    await waitFor(
      async () => (await db.query('SELECT 1 FROM history.merges WHERE undone_at IS NULL')).rowCount === 1,
      { what: 'the merge in history', timeoutMs: 30_000 },
    );
    const open = (await openConversations()).rows;
    expect(open).toHaveLength(1);
    const mergedAway = (
      await db.query<{ id: string }>("SELECT id FROM history.conversations WHERE status = 'resolved'")
    ).rows.map((r) => r.id);
    expect(mergedAway).toHaveLength(1);

    // The agent resolves the conversation that goes on. Its status change follows the merge's on
    // the same partition (keyed by workspace), so once its prompt is stored, the merge's event has
    // been handled too.
    expect((await admin('POST', `/conversations/${open[0]!.id}/status`, { status: 'resolved' })).status).toBe(
      200,
    );
    await waitFor(async () => (await csatRows()).length > 0, {
      what: 'the rating prompt',
      timeoutMs: 30_000,
    });
    expect(await csatRows()).toEqual([open[0]!.id]);
    expect(mergedAway).not.toContain(open[0]!.id);
    // The open tab saw exactly one prompt, for the conversation the agent resolved.
    await waitFor(() => withPhone.items.some((i) => i.kind === 'csat'), { what: 'the prompt in the widget' });
    expect(withPhone.items.filter((i) => i.kind === 'csat').map((i) => i.conversationId)).toEqual([
      open[0]!.id,
    ]);

    // Reopened and resolved again: no second prompt for it. To know channel-web has handled those
    // changes, the user writes again (a new conversation) and the agent resolves that one: its
    // prompt comes after them on the same partition.
    expect((await admin('POST', `/conversations/${open[0]!.id}/status`, { status: 'open' })).status).toBe(
      200,
    );
    expect((await admin('POST', `/conversations/${open[0]!.id}/status`, { status: 'resolved' })).status).toBe(
      200,
    );
    withPhone.say('one more question');
    const next = await waitFor(
      async () =>
        (await openConversations()).rows.find((c) => c.id !== open[0]!.id && !mergedAway.includes(c.id)),
      { what: 'the next conversation', timeoutMs: 30_000 },
    );
    expect((await admin('POST', `/conversations/${next.id}/status`, { status: 'resolved' })).status).toBe(
      200,
    );
    await waitFor(async () => (await csatRows()).length > 1, { what: 'the second conversation’s prompt' });
    expect(await csatRows()).toEqual([open[0]!.id, next.id]);
    await waitFor(() => withPhone.items.filter((i) => i.kind === 'csat').length > 1, {
      what: 'the second prompt in the widget',
    });
    expect(withPhone.items.filter((i) => i.kind === 'csat').map((i) => i.conversationId)).toEqual([
      open[0]!.id,
      next.id,
    ]);

    first.socket.close();
    withPhone.socket.close();
  });
});

interface Item {
  id: string;
  kind: string;
  conversationId: string | null;
}
