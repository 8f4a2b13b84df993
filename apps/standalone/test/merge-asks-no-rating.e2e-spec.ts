import {
  type AppProcess,
  type TestDatabase,
  createTestDatabase,
  signedTwilioWebhook,
  startAppProcess,
  testRunId,
  twilioInboundSmsParams,
  waitFor,
} from '@switchboard/testing';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';

const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const PUBLIC_BASE_URL = 'https://switchboard.example.test';
const ADMIN = { email: 'owner@example.test', password: 'owner password 123' };
const PHONE = '+14155550142';

/**
 * Issue 17, item 6, on the real Kafka broker and PostgreSQL: a signed-in web user chats, then the
 * site vouches for a phone an SMS customer already texts from, so history merges the two
 * customers and resolves one of their open conversations. That merge must not ask the web user
 * for a rating mid-chat; the conversation the agent then resolves asks once, and resolving it
 * again after a reopen asks nothing more.
 */
describe('standalone on Kafka: a merge asks no rating, a resolution asks once', () => {
  let database: TestDatabase;
  let app: AppProcess;
  let db: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('standalone_merge_csat');
    app = await startAppProcess('standalone', {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      KAFKA_TOPIC_PREFIX: `${testRunId()}.merge-csat-${randomUUID().slice(0, 8)}.`,
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: OUR_NUMBER,
      SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    });
    await app.waitUntilReady(90_000);
    db = new pg.Pool({ connectionString: database.url, max: 2 });
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await app?.stop('SIGTERM');
    await database?.drop();
  });

  async function adminSession(): Promise<
    (method: string, path: string, body?: unknown) => Promise<Response>
  > {
    const login = await fetch(`${app.url}/api/inbox/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    return (method, path, body) =>
      fetch(`${app.url}/api/inbox${path}`, {
        method,
        headers: { 'content-type': 'application/json', origin: app.url, cookie, 'x-csrf-token': csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
  }

  async function widget(widgetKey: string, user: object): Promise<{ socket: WebSocket; items: Item[] }> {
    const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/ws/widget?key=${widgetKey}`, {
      headers: { origin: app.url },
    });
    const received: Record<string, unknown>[] = [];
    socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString('utf8')) as never));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ t: 'hello', user }));
    await waitFor(() => received.find((m) => m.t === 'welcome'), { what: 'the widget welcome' });
    const items: Item[] = [];
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { t: string; item?: Item };
      if (message.t === 'item' && message.item) items.push(message.item);
    });
    return { socket, items };
  }

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
    const params = twilioInboundSmsParams(ACCOUNT_SID, OUR_NUMBER, PHONE, { Body: 'texting from my phone' });
    const signedUrl = `${PUBLIC_BASE_URL}/webhooks/twilio/sms`;
    const webhook = signedTwilioWebhook(AUTH_TOKEN, signedUrl, params);
    expect((await fetch(`${app.url}/webhooks/twilio/sms`, { method: 'POST', ...webhook })).status).toBe(200);

    // The signed-in web user chats before the site knows their phone: a second customer, a second
    // open conversation.
    const userId = `merge-user-${randomUUID().slice(0, 8)}`;
    const first = await widget(settings.widgetKey, { id: userId, hash: sign(userId), name: 'Pat' });
    first.socket.send(JSON.stringify({ t: 'msg', id: randomUUID(), text: 'hello from the web' }));
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
    withPhone.socket.send(JSON.stringify({ t: 'msg', id: randomUUID(), text: 'it is me, the texter' }));
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
    withPhone.socket.send(JSON.stringify({ t: 'msg', id: randomUUID(), text: 'one more question' }));
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
