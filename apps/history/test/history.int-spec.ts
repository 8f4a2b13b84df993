import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  BotHoldChangedV1,
  ConversationAssignedV1,
  type ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationUnassignedV1,
  CsatSubmittedV1,
  CustomerErasedV1,
  DeliveryStatusChangedV1,
  FailedPreconditionError,
  IdentityOptOutChangedV1,
  type InboundMessageReceivedV1,
  InvalidArgumentError,
  type MessageDeliveryRequestedV1,
  type MessageSender,
  NotFoundError,
  OutboundMessageRequestedV1,
  PermissionDeniedError,
} from '@switchboard/contracts';
import { genericPlanIn, inboundMessageEvent, settle, waitFor } from '@switchboard/testing';
import { AssignmentService, RECORD } from '../src/assignments/assignment.service.js';
import { messageAppendedEntry, statusChangedEntry } from '../src/conversations/conversation-events.js';
import { SET_STATUSES } from '../src/conversations/status-changes.operation.js';
import { outboxJson } from '../src/outbox/outbox.js';
import { CREATE_IDENTITIES } from '../src/identities/identity-resolver.js';
import { INGEST_LOOKUP } from '../src/inbound/inbound-message.service.js';
import { LOOKUP } from '../src/outbound/outbound-message.service.js';
import { type HistoryTestApp, startHistoryTestApp } from './history-test-app.js';

const agent: MessageSender = { type: 'agent', id: 'agent-1', name: 'Ada' };

/**
 * History on the real Kafka broker and PostgreSQL: every capability of issue #3 through the
 * inbound topic and the HistoryApi port, with what it emits read back off Kafka.
 */
describe('history service', () => {
  let app: HistoryTestApp;

  beforeAll(async () => {
    app = await startHistoryTestApp('history_int');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const sms = (workspaceId: string, from: string, text: string, providerMessageId?: string) =>
    inboundMessageEvent({
      workspaceId,
      sender: { kind: 'phone', address: from, verified: true },
      text,
      ...(providerMessageId !== undefined ? { providerMessageId } : {}),
    });
  const publishInbound = (events: ReturnType<typeof inboundMessageEvent>[]) =>
    Promise.all(events.map((e) => app.emit([e])));
  const count = async (sql: string, params: unknown[]) =>
    Number((await app.db.query<{ n: string }>(sql, params)).rows[0]!.n);
  const appended = (workspaceId: string) =>
    app.emitted.filter(
      (e): e is ConversationMessageAppendedV1 =>
        e.type === 'conversation.message.appended' && e.workspaceId === workspaceId,
    );
  const statusChanges = (workspaceId: string, conversationId: string) =>
    app.emitted
      .filter(
        (e): e is ConversationStatusChangedV1 =>
          e.type === 'conversation.status.changed' && e.workspaceId === workspaceId,
      )
      .map((e) => e.payload)
      .filter((p) => p.conversationId === conversationId);
  const customerOf = async (workspaceId: string, kind: string, value: string) =>
    (await app.api.findCustomers(workspaceId, { identity: { kind: kind as 'phone', value } })).items[0]!;

  it('stores each message once under redelivery and provider retries, with gapless sequences', async () => {
    const ws = randomUUID();
    const first = Array.from({ length: 30 }, (_, i) => sms(ws, '+14155550101', `message ${i}`));
    // The same events delivered twice, and provider retries (new event ids, same provider id).
    const retries = first
      .slice(0, 10)
      .map((e) => sms(ws, '+14155550101', 'retry', e.payload.providerMessageId));
    await app.emit(first);
    await app.emit([...first, ...retries]);
    await waitFor(
      async () =>
        (await count('SELECT count(*) AS n FROM history.messages WHERE workspace_id = $1', [ws])) >= 30,
    );
    await waitFor(() => appended(ws).length >= 30, { what: 'the appended events' });
    await settle(1_000);
    expect(await count('SELECT count(*) AS n FROM history.messages WHERE workspace_id = $1', [ws])).toBe(30);
    const seqs = await app.db.query<{ sequence: number; text: string }>(
      'SELECT sequence, text FROM history.messages WHERE workspace_id = $1 ORDER BY sequence',
      [ws],
    );
    expect(seqs.rows.map((r) => r.sequence)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(seqs.rows.map((r) => r.text)).toEqual(first.map((e) => e.payload.text));
    const events = appended(ws);
    expect(events).toHaveLength(30);
    expect(events.filter((e) => e.payload.openedConversation)).toHaveLength(1);
    expect(events.find((e) => e.payload.openedConversation)!.payload).toMatchObject({
      sequence: 1,
      customerAttributes: {},
    });
  });

  it('stores every other sender’s messages when one message can never be stored', async () => {
    const ws = randomUUID();
    // PostgreSQL refuses a NUL in text: this one fails every attempt and is dead-lettered. The
    // others, some on the other partition and so perhaps in the same ingest transaction as it,
    // must be stored all the same.
    const poison = sms(ws, '+14155550190', 'nul \u0000 byte');
    const others = Array.from({ length: 12 }, (_, i) => sms(ws, `+1415555020${i % 6}`, `other ${i}`));
    await Promise.all([app.emit([poison]), ...others.map((e) => app.emit([e]))]);
    await waitFor(
      async () =>
        (await count('SELECT count(*) AS n FROM history.messages WHERE workspace_id = $1', [ws])) >= 12,
      { what: 'the other messages stored', timeoutMs: 60_000 },
    );
    await waitFor(() => appended(ws).length >= 12, { what: 'their events' });
    await settle(500);
    const stored = await app.db.query<{ provider_message_id: string }>(
      'SELECT provider_message_id FROM history.messages WHERE workspace_id = $1',
      [ws],
    );
    expect(stored.rows.map((r) => r.provider_message_id).sort()).toEqual(
      others.map((e) => e.payload.providerMessageId).sort(),
    );
    expect(appended(ws)).toHaveLength(12);
  }, 90_000);

  it('orders the timeline as the sequence, across batches, and announces each message at its stored time', async () => {
    const ws = randomUUID();
    const from = '+14155550120';
    await publishInbound([sms(ws, from, 'a1'), sms(ws, from, 'a2'), sms(ws, from, 'a3')]);
    await waitFor(() => appended(ws).length === 3);
    await app.emit([sms(ws, from, 'b1'), sms(ws, from, 'b2')]);
    await waitFor(() => appended(ws).length === 5);
    const customer = await customerOf(ws, 'phone', from);
    const timeline = (await app.api.getTimeline(ws, customer.id, {})).items;
    expect(timeline.map((m) => m.sequence)).toEqual([5, 4, 3, 2, 1]);
    const byTime = await app.db.query<{ sequence: number }>(
      'SELECT sequence FROM history.messages WHERE workspace_id = $1 ORDER BY created_at, id',
      [ws],
    );
    expect(byTime.rows.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
    const distinct = await count(
      'SELECT count(DISTINCT created_at) AS n FROM history.messages WHERE workspace_id = $1',
      [ws],
    );
    expect(distinct).toBe(5);
    for (const m of timeline) {
      const event = appended(ws).find((e) => e.payload.messageId === m.id)!;
      expect(event.payload.createdAt).toBe(m.createdAt);
    }
  });

  it('opens a new sender’s conversation with their first messages: numbered, timed and announced as opening it', async () => {
    const ws = randomUUID();
    const from = '+14155550121';
    await app.emit([sms(ws, from, 'n1'), sms(ws, from, 'n2'), sms(ws, from, 'n3')]);
    await waitFor(() => appended(ws).length === 3);
    const events = appended(ws)
      .map((e) => e.payload)
      .sort((a, b) => a.sequence - b.sequence);
    expect(events.map((p) => [p.sequence, p.openedConversation, p.customerAttributes])).toEqual([
      [1, true, {}],
      [2, false, undefined],
      [3, false, undefined],
    ]);
    const conversation = (
      await app.db.query<{
        id: string;
        status: string;
        last_sequence: number;
        last_message_preview: string;
        opened_at: Date;
        last_message_at: Date;
        waiting_since: Date;
      }>(
        `SELECT id, status, last_sequence, last_message_preview, opened_at, last_message_at, waiting_since
         FROM history.conversations WHERE workspace_id = $1`,
        [ws],
      )
    ).rows;
    expect(conversation).toHaveLength(1);
    const [c] = conversation;
    expect(c).toMatchObject({ id: events[0]!.conversationId, status: 'open', last_sequence: 3 });
    expect(c!.last_message_preview).toBe('n3');
    expect(c!.opened_at.toISOString()).toBe(events[0]!.createdAt);
    expect(c!.waiting_since.toISOString()).toBe(events[0]!.createdAt);
    expect(c!.last_message_at.toISOString()).toBe(events[2]!.createdAt);
  });

  it('relays the outbox oldest first, a round’s leftover rows at once, and only while it holds the relay lock', async () => {
    const ws = randomUUID();
    const entry = (sequence: number) =>
      messageAppendedEntry({
        workspaceId: ws,
        message: {
          conversationId: randomUUID(),
          customerId: randomUUID(),
          messageId: randomUUID(),
          sequence,
          direction: 'in',
          channel: 'sms',
          channelAccountId: 'account',
          text: null,
          attachments: [],
          sender: { type: 'customer' },
          createdAt: new Date().toISOString(),
          openedConversation: false,
        },
      });
    // Rows of 1,200, 1,200 and 3 events: more than one round takes (about 2,000 events).
    const rowSizes = [1_200, 1_200, 3];
    const holder = await app.db.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtext('history.outbox'))");
      let next = 1;
      for (const size of rowSizes) {
        const entries = Array.from({ length: size }, () => entry(next++));
        await app.db.query('INSERT INTO history.outbox (entries) VALUES ($1::json)', [
          JSON.stringify(entries),
        ]);
      }
      // Fifteen polls' time. A relay deleting them holds their row locks until its publish ends:
      // rows locked or gone would both show here.
      await settle(3_000);
      expect(
        await count(
          'SELECT count(*) AS n FROM (SELECT 1 FROM history.outbox FOR UPDATE SKIP LOCKED) AS free',
          [],
        ),
      ).toBe(3);
      expect(appended(ws)).toHaveLength(0);
    } finally {
      await holder.query("SELECT pg_advisory_unlock(hashtext('history.outbox'))");
      holder.release();
    }
    await waitFor(() => appended(ws).length === 2_403, { timeoutMs: 30_000 });
    expect(appended(ws).map((e) => e.payload.sequence)).toEqual(
      Array.from({ length: 2_403 }, (_, i) => i + 1),
    );
    // The rows go once Kafka has their events: the round's commit follows its publish.
    await waitFor(async () => (await count('SELECT count(*) AS n FROM history.outbox', [])) === 0);
  }, 60_000);

  it('masks card numbers before storing or emitting them', async () => {
    const ws = randomUUID();
    const event = sms(ws, '+14155550102', 'my card is 4111 1111 1111 1111, exp 12/27');
    await publishInbound([event]);
    await waitFor(() => appended(ws).length === 1, { what: 'the appended event' });
    const { rows } = await app.db.query<{ text: string }>(
      'SELECT text FROM history.messages WHERE workspace_id = $1',
      [ws],
    );
    expect(rows[0]!.text).toBe('my card is 411111******1111, exp 12/27');
    expect(appended(ws)[0]!.payload.text).toBe('my card is 411111******1111, exp 12/27');
    const { rows: leaked } = await app.db.query(
      "SELECT 1 FROM history.messages WHERE text LIKE '%4111 1111 1111 1111%' OR text LIKE '%4111111111111111%'",
    );
    expect(leaked).toHaveLength(0);

    const customer = await customerOf(ws, 'phone', '+14155550102');
    await app.api.sendMessage(ws, {
      idempotencyKey: randomUUID(),
      customerId: customer.id,
      text: 'we got 5500 0000 0000 0004, thanks',
      sender: agent,
    });
    const timeline = await app.api.getTimeline(ws, customer.id, {});
    expect(timeline.items[0]!.text).toBe('we got 550000******0004, thanks');
  });

  it('puts a verified web user and their SMS in one conversation; an unverified claim only suggests a merge', async () => {
    const ws = randomUUID();
    const web = inboundMessageEvent({
      workspaceId: ws,
      channel: 'web',
      channelAccountId: 'web-widget',
      sender: {
        kind: 'web_user',
        address: 'user-42',
        verified: true,
        displayName: 'Grace',
        identities: [{ kind: 'phone', address: '+1 (415) 555-0103', verified: true }],
      },
      text: 'hi from the site',
    });
    await publishInbound([web]);
    await waitFor(() => appended(ws).length === 1);
    await publishInbound([sms(ws, '+14155550103', 'and now by text')]);
    await waitFor(() => appended(ws).length === 2);
    const [a, b] = appended(ws);
    expect(b!.payload.conversationId).toBe(a!.payload.conversationId);
    expect(b!.payload.customerId).toBe(a!.payload.customerId);
    expect(b!.payload.openedConversation).toBe(false);
    const customer = await app.api.getCustomer(ws, a!.payload.customerId);
    expect(customer.name).toBe('Grace');
    expect(customer.identities.map((i) => `${i.kind}:${i.value}`).sort()).toEqual([
      'phone:+14155550103',
      'web_user:user-42',
    ]);
    expect(customer.channels).toEqual(['sms', 'web']);

    // A visitor types Grace's phone number into a form: no history of hers, a suggestion instead.
    const visitor = inboundMessageEvent({
      workspaceId: ws,
      channel: 'web',
      channelAccountId: 'web-widget',
      sender: {
        kind: 'web_visitor',
        address: 'visitor-9',
        verified: false,
        identities: [{ kind: 'phone', address: '+14155550103', verified: false }],
      },
      text: 'I am Grace, show me my orders',
    });
    await publishInbound([visitor]);
    await waitFor(() => appended(ws).length === 3);
    const visitorMessage = appended(ws)[2]!;
    expect(visitorMessage.payload.customerId).not.toBe(customer.id);
    expect(visitorMessage.payload.conversationId).not.toBe(a!.payload.conversationId);
    const suggestions = await app.api.listMergeSuggestions(ws, customer.id);
    expect(suggestions).toEqual([
      expect.objectContaining({
        customerId: visitorMessage.payload.customerId,
        candidateCustomerId: customer.id,
        identity: { kind: 'phone', value: '+14155550103' },
      }),
    ]);
    const visitorTimeline = await app.api.getTimeline(ws, visitorMessage.payload.customerId, {});
    expect(visitorTimeline.items.map((m) => m.text)).toEqual(['I am Grace, show me my orders']);
  });

  it('joins an anonymous visitor to the user the web channel says they signed in as; never a proven one', async () => {
    const ws = randomUUID();
    const webMessage = (sender: InboundMessageReceivedV1['payload']['sender'], text: string) =>
      inboundMessageEvent({ workspaceId: ws, channel: 'web', channelAccountId: 'web-widget', sender, text });
    await publishInbound([
      webMessage({ kind: 'web_visitor', address: 'visitor-anon', verified: false }, 'before signing in'),
    ]);
    await waitFor(() => appended(ws).length === 1);
    const visitor = appended(ws)[0]!.payload.customerId;
    // The site signed the user in while their browser held the visitor's token (ADR 0044).
    await publishInbound([
      webMessage(
        {
          kind: 'web_user',
          address: 'user-77',
          verified: true,
          identities: [{ kind: 'web_visitor', address: 'visitor-anon', verified: true }],
        },
        'signed in now',
      ),
    ]);
    await waitFor(() => appended(ws).length === 2);
    const user = appended(ws)[1]!.payload.customerId;
    expect(user).not.toBe(visitor);
    expect((await app.api.getTimeline(ws, user, {})).items.map((m) => m.text)).toEqual([
      'signed in now',
      'before signing in',
    ]);
    const joined = await app.api.getCustomer(ws, user);
    expect(joined.identities.map((i) => `${i.kind}:${i.value}:${i.verified}`).sort()).toEqual([
      'web_user:user-77:true',
      'web_visitor:visitor-anon:true',
    ]);
    // Recorded as a merge, so it can be undone like any other.
    expect((await app.api.exportCustomer(ws, user)).merges).toEqual([
      expect.objectContaining({ targetCustomerId: user, sourceCustomerId: visitor, undoneAt: null }),
    ]);

    // A visitor whose customer is proven someone (an agent merged it into a texter) is not taken by
    // a user naming it: a suggestion, nothing moves.
    await publishInbound([
      sms(ws, '+14155550166', 'texting'),
      webMessage({ kind: 'web_visitor', address: 'visitor-two', verified: false }, 'visitor two'),
    ]);
    await waitFor(() => appended(ws).length === 4);
    const texter = await customerOf(ws, 'phone', '+14155550166');
    const visitorTwo = appended(ws).find((e) => e.payload.text === 'visitor two')!.payload.customerId;
    await app.api.mergeCustomers(ws, { targetCustomerId: texter.id, sourceCustomerId: visitorTwo }, agent);
    await publishInbound([
      webMessage(
        {
          kind: 'web_user',
          address: 'user-99',
          verified: true,
          identities: [{ kind: 'web_visitor', address: 'visitor-two', verified: true }],
        },
        'names a proven visitor',
      ),
    ]);
    await waitFor(() => appended(ws).length === 5);
    expect(appended(ws)[4]!.payload.customerId).not.toBe(texter.id);
    expect((await app.api.getTimeline(ws, texter.id, {})).items).toHaveLength(2);
  });

  it('merges two customers and undoes the merge', async () => {
    const ws = randomUUID();
    await publishInbound([
      sms(ws, '+14155550104', 'from the first number'),
      sms(ws, '+14155550105', 'from the second'),
    ]);
    await waitFor(() => appended(ws).length === 2);
    const target = await customerOf(ws, 'phone', '+14155550104');
    const source = await customerOf(ws, 'phone', '+14155550105');
    const sourceConversation = appended(ws).find((e) => e.payload.customerId === source.id)!.payload
      .conversationId;
    // Waiting on the customer when merged: undo must give it back pending, waiting as before.
    await app.api.setConversationStatus(ws, sourceConversation, 'pending', agent);
    const beforeMerge = await app.api.getConversation(ws, sourceConversation);

    const merge = await app.api.mergeCustomers(
      ws,
      { targetCustomerId: target.id, sourceCustomerId: source.id },
      agent,
    );
    expect(merge).toMatchObject({ targetCustomerId: target.id, sourceCustomerId: source.id, undoneAt: null });
    const merged = await app.api.getCustomer(ws, target.id);
    expect(merged.identities.map((i) => i.value).sort()).toEqual(['+14155550104', '+14155550105']);
    expect((await app.api.getTimeline(ws, target.id, {})).items).toHaveLength(2);
    expect((await app.api.getTimeline(ws, source.id, {})).items).toHaveLength(0);
    // Both had an open conversation: the source's is resolved so that one stays open.
    expect((await app.api.getConversation(ws, sourceConversation)).status).toBe('resolved');
    // The next text from the second number lands with the target.
    await publishInbound([sms(ws, '+14155550105', 'after the merge')]);
    await waitFor(() => appended(ws).length === 3);
    expect(appended(ws)[2]!.payload.customerId).toBe(target.id);

    const undone = await app.api.undoMerge(ws, merge.id, agent);
    expect(undone.undoneAt).not.toBeNull();
    expect((await app.api.getCustomer(ws, source.id)).identities.map((i) => i.value)).toEqual([
      '+14155550105',
    ]);
    expect((await app.api.getTimeline(ws, source.id, {})).items.map((m) => m.text)).toEqual([
      'from the second',
    ]);
    expect((await app.api.getTimeline(ws, target.id, {})).items.map((m) => m.text).sort()).toEqual([
      'after the merge',
      'from the first number',
    ]);
    // The conversation the merge resolved is the source's open one again, as it was.
    const reopened = await app.api.getConversation(ws, sourceConversation);
    expect(reopened).toMatchObject({
      customerId: source.id,
      status: 'pending',
      resolvedAt: null,
      waitingSince: beforeMerge.waitingSince,
    });
    const changes = await waitFor(() => {
      const found = statusChanges(ws, sourceConversation).map((e) => `${e.previousStatus}>${e.status}`);
      return found.length === 3 ? found : undefined;
    });
    expect(changes).toEqual(['open>pending', 'pending>resolved', 'resolved>pending']);
    // The source's next message continues it.
    await publishInbound([sms(ws, '+14155550105', 'back on my own')]);
    await waitFor(() => appended(ws).length === 4);
    expect(appended(ws)[3]!.payload).toMatchObject({
      customerId: source.id,
      conversationId: sourceConversation,
    });
    expect((await app.api.undoMerge(ws, merge.id, agent)).undoneAt).toBe(undone.undoneAt);
    const exported = await app.api.exportCustomer(ws, source.id);
    expect(exported.merges).toHaveLength(1);
  });

  it('leaves resolved on undo a conversation the merge resolved that was reopened and resolved since', async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550114', 'target here'), sms(ws, '+14155550115', 'source here')]);
    await waitFor(() => appended(ws).length === 2);
    const conversationOf = (from: string) =>
      appended(ws).find((e) => e.payload.text?.startsWith(from))!.payload.conversationId;
    const target = await customerOf(ws, 'phone', '+14155550114');
    const source = await customerOf(ws, 'phone', '+14155550115');
    const merge = await app.api.mergeCustomers(
      ws,
      { targetCustomerId: target.id, sourceCustomerId: source.id },
      agent,
    );
    // An agent closes the target's conversation and works the moved one: reopened, then resolved.
    await app.api.setConversationStatus(ws, conversationOf('target'), 'resolved', agent);
    await app.api.setConversationStatus(ws, conversationOf('source'), 'open', agent);
    const resolvedSince = await app.api.setConversationStatus(
      ws,
      conversationOf('source'),
      'resolved',
      agent,
    );

    await app.api.undoMerge(ws, merge.id, agent);
    // The agent's later resolve stands: undo moves the conversation back, resolved as it is.
    expect(await app.api.getConversation(ws, conversationOf('source'))).toMatchObject({
      customerId: source.id,
      status: 'resolved',
      resolvedAt: resolvedSince.resolvedAt,
    });
    expect(await app.api.getConversation(ws, conversationOf('target'))).toMatchObject({
      customerId: target.id,
      status: 'resolved',
    });
    await settle(500);
    expect(statusChanges(ws, conversationOf('source')).map((e) => e.status)).toEqual([
      'resolved',
      'open',
      'resolved',
    ]);
  });

  it('sends on the customer’s last channel, and applies delivery statuses out of order monotonically', async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550106', 'can you text me back?')]);
    await waitFor(() => appended(ws).length === 1);
    const customer = await customerOf(ws, 'phone', '+14155550106');
    const key = randomUUID();
    const sent = await app.api.sendMessage(ws, {
      idempotencyKey: key,
      customerId: customer.id,
      text: 'Sure!',
      sender: agent,
    });
    expect(sent).toMatchObject({
      channel: 'sms',
      created: true,
      conversationId: appended(ws)[0]!.payload.conversationId,
    });
    expect(
      await app.api.sendMessage(ws, {
        idempotencyKey: key,
        customerId: customer.id,
        text: 'Sure!',
        sender: agent,
      }),
    ).toEqual({
      ...sent,
      created: false,
    });
    const request = await waitFor(() =>
      app.emitted.find(
        (e): e is MessageDeliveryRequestedV1 =>
          e.type === 'message.delivery.requested' && e.workspaceId === ws,
      ),
    );
    expect(request.payload).toMatchObject({
      messageId: sent.messageId,
      channel: 'sms',
      channelAccountId: 'sms-account-1',
      recipient: { kind: 'phone', address: '+14155550106' },
      text: 'Sure!',
    });
    await settle(500);
    expect(
      app.emitted.filter((e) => e.type === 'message.delivery.requested' && e.workspaceId === ws),
    ).toHaveLength(1);

    const status = (status: DeliveryStatusChangedV1['payload']['status'], at: number, extra = {}) =>
      DeliveryStatusChangedV1.create({
        workspaceId: ws,
        payload: {
          channel: 'sms',
          channelAccountId: 'sms-account-1',
          messageId: sent.messageId,
          providerMessageId: 'SM-out-1',
          status,
          statusAt: new Date(Date.now() + at).toISOString(),
          ...extra,
        },
      });
    await app.emit([status('delivered', 2_000), status('queued', 0), status('sent', 1_000)]);
    const view = async () =>
      (await app.api.listMessages(ws, sent.conversationId, {})).find((m) => m.id === sent.messageId)!;
    await waitFor(async () => (await view()).deliveryStatus === 'delivered', { what: 'delivered' });
    await settle(1_000);
    expect((await view()).deliveryStatus).toBe('delivered');
    expect((await view()).providerMessageId).toBe('SM-out-1');

    // A failure found by the provider's id keeps its code; a late `sent` doesn't undo it.
    const second = await app.api.sendMessage(ws, {
      idempotencyKey: randomUUID(),
      customerId: customer.id,
      text: 'Hello?',
      sender: agent,
    });
    const byProviderId = (s: DeliveryStatusChangedV1['payload']['status'], extra = {}) =>
      DeliveryStatusChangedV1.create({
        workspaceId: ws,
        payload: {
          channel: 'sms',
          channelAccountId: 'sms-account-1',
          providerMessageId: 'SM-out-2',
          status: s,
          statusAt: new Date().toISOString(),
          ...extra,
        },
      });
    await app.emit([
      DeliveryStatusChangedV1.create({
        workspaceId: ws,
        payload: {
          channel: 'sms',
          channelAccountId: 'sms-account-1',
          messageId: second.messageId,
          providerMessageId: 'SM-out-2',
          status: 'queued',
          statusAt: new Date().toISOString(),
        },
      }),
      byProviderId('failed', { errorCode: '30003', errorMessage: 'The phone is unreachable' }),
      byProviderId('sent'),
    ]);
    const secondView = async () =>
      (await app.api.listMessages(ws, sent.conversationId, {})).find((m) => m.id === second.messageId)!;
    await waitFor(async () => (await secondView()).deliveryStatus === 'failed', { what: 'failed' });
    await settle(1_000);
    expect(await secondView()).toMatchObject({
      deliveryStatus: 'failed',
      deliveryError: { code: '30003', message: 'The phone is unreachable' },
    });
    const conversation = await app.api.getConversation(ws, sent.conversationId);
    expect(conversation.firstResponseAt).not.toBeNull();
    expect(conversation.waitingSince).toBeNull();
  });

  it('sends what is asked for on the outbound-requests topic, once per idempotency key', async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550111', 'any news?')]);
    await waitFor(() => appended(ws).length === 1);
    const { customerId } = appended(ws)[0]!.payload;
    const request = OutboundMessageRequestedV1.create({
      workspaceId: ws,
      payload: {
        idempotencyKey: 'bot-reply-1',
        customerId,
        internalNote: false,
        text: 'Your order shipped today.',
        attachments: [],
        sender: { type: 'bot', id: 'order-bot' },
      },
    });
    await app.emit([request, request]);
    await waitFor(() => appended(ws).length === 2, { what: 'the bot reply appended' });
    await settle(1_000);
    expect(appended(ws)).toHaveLength(2);
    expect(appended(ws)[1]!.payload).toMatchObject({
      direction: 'out',
      sequence: 2,
      sender: { type: 'bot' },
    });
    const deliveries = app.emitted.filter(
      (e) => e.type === 'message.delivery.requested' && e.workspaceId === ws,
    );
    expect(deliveries).toHaveLength(1);
  });

  it('dead-letters an outbound request it refuses, and sends the ones beside it', async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550112', 'hi')]);
    await waitFor(() => appended(ws).length === 1);
    const { customerId } = appended(ws)[0]!.payload;
    const request = (idempotencyKey: string, to: string) =>
      OutboundMessageRequestedV1.create({
        workspaceId: ws,
        payload: {
          idempotencyKey,
          customerId: to,
          internalNote: false,
          text: 'Your order shipped today.',
          attachments: [],
          sender: { type: 'bot', id: 'order-bot' },
        },
      });
    const refused = request('bot-reply-unknown', randomUUID());
    const sent = request('bot-reply-known', customerId);
    await app.emit([refused, sent]);
    await waitFor(() => app.deadLettered.some((e) => e.id === refused.id), {
      what: 'the refused request dead-lettered',
      timeoutMs: 30_000,
    });
    await waitFor(() => appended(ws).length === 2, { what: 'the other request sent' });
    await settle(500);
    expect(appended(ws)).toHaveLength(2);
    expect(appended(ws)[1]!.payload).toMatchObject({ direction: 'out', sender: { type: 'bot' } });
    expect(app.deadLettered.filter((e) => e.workspaceId === ws).map((e) => e.id)).toEqual([refused.id]);
  });

  it('refuses to send to an opted-out number until the customer opts back in', async () => {
    const ws = randomUUID();
    const stop = sms(ws, '+14155550107', 'STOP');
    const optOut = (optedOut: boolean, keyword: string) =>
      IdentityOptOutChangedV1.create({
        workspaceId: ws,
        payload: {
          channel: 'sms',
          channelAccountId: 'sms-account-1',
          identity: { kind: 'phone', address: '+14155550107' },
          optedOut,
          keyword,
          providerMessageId: stop.payload.providerMessageId,
          changedAt: new Date(Date.now() + (optedOut ? 0 : 1_000)).toISOString(),
        },
      });
    await app.emit([stop, optOut(true, 'STOP')]);
    await waitFor(() => appended(ws).length === 1);
    const customer = await customerOf(ws, 'phone', '+14155550107');
    await waitFor(async () => (await app.api.getCustomer(ws, customer.id)).identities[0]!.optedOut);
    await expect(
      app.api.sendMessage(ws, {
        idempotencyKey: randomUUID(),
        customerId: customer.id,
        text: 'wait!',
        sender: agent,
      }),
    ).rejects.toBeInstanceOf(FailedPreconditionError);
    // A note is never sent, so it is still allowed.
    await expect(
      app.api.sendMessage(ws, {
        idempotencyKey: randomUUID(),
        customerId: customer.id,
        text: 'opted out',
        internalNote: true,
        sender: agent,
      }),
    ).resolves.toMatchObject({ channel: null, created: true });
    await app.emit([optOut(false, 'START'), optOut(true, 'STOP')]);
    await waitFor(async () => !(await app.api.getCustomer(ws, customer.id)).identities[0]!.optedOut);
    await expect(
      app.api.sendMessage(ws, {
        idempotencyKey: randomUUID(),
        customerId: customer.id,
        text: 'welcome back',
        sender: agent,
      }),
    ).resolves.toMatchObject({ channel: 'sms' });
  });

  it('records assignments, ratings and status changes; a message after resolving opens a new conversation', async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550108', 'help')]);
    await waitFor(() => appended(ws).length === 1);
    const { conversationId, customerId } = appended(ws)[0]!.payload;
    const assigned = (mode: 'assign' | 'offer', agentId: string, at: number) =>
      ConversationAssignedV1.create({
        workspaceId: ws,
        payload: {
          conversationId,
          queueId: 'support',
          agentId,
          mode,
          assignedAt: new Date(Date.now() + at).toISOString(),
          explanation: { step: { index: 0, expression: 'true' }, reason: 'lowest occupancy', candidates: [] },
        },
      });
    const offer = assigned('offer', 'agent-2', 0);
    const assign = assigned('assign', 'agent-1', 1_000);
    await app.emit([offer, assign, assign]);
    await waitFor(async () => (await app.api.getConversation(ws, conversationId)).assigneeId === 'agent-1');
    expect((await app.api.listAssignments(ws, conversationId)).map((a) => `${a.mode}:${a.agentId}`)).toEqual([
      'offer:agent-2',
      'assign:agent-1',
    ]);
    expect((await app.api.getConversation(ws, conversationId)).queueId).toBe('support');

    const resolved = await app.api.setConversationStatus(ws, conversationId, 'resolved', agent);
    expect(resolved.status).toBe('resolved');
    expect((await app.api.setConversationStatus(ws, conversationId, 'resolved', agent)).status).toBe(
      'resolved',
    );
    await app.emit([
      CsatSubmittedV1.create({
        workspaceId: ws,
        payload: {
          conversationId,
          channel: 'sms',
          channelAccountId: 'sms-account-1',
          sender: { kind: 'phone', address: '+14155550108' },
          rating: 5,
          comment: 'great, card 4111111111111111',
          submittedAt: new Date().toISOString(),
        },
      }),
      sms(ws, '+14155550108', 'one more thing'),
    ]);
    await waitFor(() => appended(ws).length === 2);
    const next = appended(ws)[1]!.payload;
    expect(next.conversationId).not.toBe(conversationId);
    expect(next).toMatchObject({ customerId, openedConversation: true, sequence: 1 });
    expect((await app.api.getConversation(ws, conversationId)).csat).toMatchObject({
      rating: 5,
      comment: 'great, card 411111******1111',
    });
    await expect(app.api.setConversationStatus(ws, conversationId, 'open', agent)).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    const statuses = await waitFor(() => {
      const found = app.emitted.filter(
        (e) => e.type === 'conversation.status.changed' && e.workspaceId === ws,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(statuses).toHaveLength(1);
    // The customer and the previous status are the conversation's, as the statement found it.
    expect(statuses[0]!.payload).toMatchObject({
      conversationId,
      customerId,
      status: 'resolved',
      previousStatus: 'open',
      changedBy: agent,
      changedAt: resolved.resolvedAt,
    });
    // Recorded by the statement itself (ADR 0152) as the outbox's trigger copies an event (ADR 0106).
    expect(
      (
        await app.db.query<Record<string, unknown>>(
          `SELECT event_id, workspace_id, status, previous_status, changed_by, cause, at
           FROM history.status_changes WHERE conversation_id = $1`,
          [conversationId],
        )
      ).rows,
    ).toEqual([
      {
        event_id: statuses[0]!.id,
        workspace_id: ws,
        status: 'resolved',
        previous_status: 'open',
        changed_by: agent,
        cause: null,
        at: new Date(resolved.resolvedAt!),
      },
    ]);
    await expect(
      app.api.setConversationStatus(randomUUID(), conversationId, 'open', agent),
    ).rejects.toBeInstanceOf(NotFoundError);
    const page = await app.api.listConversations(ws, { customerId, order: 'recent', pageSize: 1 });
    expect(page.items[0]!.id).toBe(next.conversationId);
    const rest = await app.api.listConversations(ws, {
      customerId,
      order: 'recent',
      pageSize: 1,
      pageToken: page.nextPageToken!,
    });
    expect(rest.items.map((c) => c.id)).toEqual([conversationId]);
    expect(rest.nextPageToken).toBeNull();
  });

  it('records unassignments: the assignee is cleared by the newest decision, whatever order they arrive in', async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550118', 'anyone there?')]);
    await waitFor(() => appended(ws).length === 1);
    const { conversationId } = appended(ws)[0]!.payload;
    const start = Date.now();
    const at = (ms: number) => new Date(start + ms).toISOString();
    const assign = (agentId: string, ms: number) =>
      ConversationAssignedV1.create({
        workspaceId: ws,
        payload: {
          conversationId,
          queueId: 'support',
          agentId,
          mode: 'assign',
          assignedAt: at(ms),
          explanation: { step: { index: 0, expression: 'true' }, reason: 'lowest occupancy', candidates: [] },
        },
      });
    const unassign = (agentId: string, ms: number, reason: ConversationUnassignedV1['payload']['reason']) =>
      ConversationUnassignedV1.create({
        workspaceId: ws,
        payload: { conversationId, agentId, queueId: 'billing', reason, unassignedAt: at(ms) },
      });
    const assignee = async () => (await app.api.getConversation(ws, conversationId)).assigneeId;
    const history = async () =>
      (await app.api.listAssignments(ws, conversationId)).map((a) => `${a.mode}:${a.agentId}`);

    // In order, and redelivered: agent-1 holds it, then goes offline.
    const offline = unassign('agent-1', 2_000, 'agent_offline');
    await app.emit([assign('agent-1', 1_000), offline, offline]);
    await waitFor(async () => (await history()).length === 2);
    expect(await app.api.getConversation(ws, conversationId)).toMatchObject({
      assigneeId: null,
      queueId: 'billing',
    });
    expect((await app.api.listAssignments(ws, conversationId))[1]).toMatchObject({
      mode: 'unassign',
      agentId: 'agent-1',
      queueId: 'billing',
      explanation: { step: null, reason: 'agent_offline', candidates: [] },
    });

    // Out of order: agent-2's unassignment arrives before the assignment it ends.
    await app.emit([unassign('agent-2', 4_000, 'offer_timeout')]);
    await waitFor(async () => (await history()).length === 3);
    await app.emit([assign('agent-2', 3_000)]);
    await waitFor(async () => (await history()).length === 4);
    expect(await assignee()).toBeNull();

    // A transfer (agent-3 to agent-4, one instant) seen backwards: agent-4 keeps it.
    await app.emit([assign('agent-3', 5_000)]);
    await waitFor(async () => (await assignee()) === 'agent-3');
    await app.emit([assign('agent-4', 6_000), unassign('agent-3', 6_000, 'transferred')]);
    await waitFor(async () => (await history()).length === 7);
    expect(await assignee()).toBe('agent-4');
    // A stale unassignment, older than agent-4's assignment, changes nothing but the history.
    await app.emit([unassign('agent-1', 5_500, 'agent_removed')]);
    await waitFor(async () => (await history()).length === 8);
    expect(await assignee()).toBe('agent-4');
    const recorded = await history();
    expect(recorded.slice(0, 6)).toEqual([
      'assign:agent-1',
      'unassign:agent-1',
      'assign:agent-2',
      'unassign:agent-2',
      'assign:agent-3',
      'unassign:agent-1',
    ]);
    // The transfer's two decisions share their instant: listed in either order.
    expect(recorded.slice(6).sort()).toEqual(['assign:agent-4', 'unassign:agent-3']);
    // Workspace-scoped like every read: the unassigned list finds it only in its own workspace.
    await app.emit([unassign('agent-4', 7_000, 'agent_away')]);
    await waitFor(async () => (await assignee()) === null);
    const unassigned = await app.api.listConversations(ws, { unassigned: true });
    expect(unassigned.items.map((c) => c.id)).toEqual([conversationId]);
  });

  it("applies a batch of routing's decisions in one statement as if one by one, each once", async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550128', 'first'), sms(ws, '+14155550129', 'second')]);
    await waitFor(() => appended(ws).length === 2);
    const [a, b] = appended(ws).map((e) => e.payload.conversationId) as [string, string];
    const start = Date.now();
    const at = (ms: number) => new Date(start + ms).toISOString();
    const assign = (
      conversationId: string,
      agentId: string,
      ms: number,
      mode: 'assign' | 'offer' = 'assign',
    ) =>
      ConversationAssignedV1.create({
        workspaceId: ws,
        payload: {
          conversationId,
          queueId: 'support',
          agentId,
          mode,
          assignedAt: at(ms),
          explanation: { step: { index: 0, expression: 'true' }, reason: 'lowest occupancy', candidates: [] },
        },
      });
    const unassign = (conversationId: string, agentId: string, ms: number) =>
      ConversationUnassignedV1.create({
        workspaceId: ws,
        payload: { conversationId, agentId, queueId: 'billing', reason: 'transferred', unassignedAt: at(ms) },
      });
    const hold = BotHoldChangedV1.create({
      workspaceId: ws,
      payload: {
        conversationId: a,
        customerId: appended(ws)[0]!.payload.customerId,
        channel: 'sms',
        held: true,
        reason: null,
        agentId: null,
        changedAt: at(0),
      },
    });
    const assignments = app.get(AssignmentService);
    const state = async (conversationId: string) => {
      const c = await app.api.getConversation(ws, conversationId);
      return { assigneeId: c.assigneeId, queueId: c.queueId };
    };
    const recorded = async (conversationId: string) =>
      (await app.api.listAssignments(ws, conversationId)).map((r) => `${r.mode}:${r.agentId}`);

    // One batch, two conversations. a: assigned, offered, unassigned, then an assignment older
    // than the unassignment (late: history only), and the first one again (a duplicate in the
    // batch: nothing). b: assigned, and another agent's unassignment of the same instant (nothing).
    const first = assign(a, 'agent-1', 1_000);
    const batch = [
      hold,
      first,
      assign(a, 'agent-9', 1_500, 'offer'),
      unassign(a, 'agent-1', 2_000),
      assign(a, 'agent-2', 1_800),
      first,
      assign(b, 'agent-3', 1_000),
      unassign(b, 'agent-4', 1_000),
    ];
    await assignments.record(batch);
    expect(await state(a)).toEqual({ assigneeId: null, queueId: 'billing' });
    expect(await state(b)).toEqual({ assigneeId: 'agent-3', queueId: 'support' });
    expect(await recorded(a)).toEqual([
      'assign:agent-1',
      'offer:agent-9',
      'assign:agent-2',
      'unassign:agent-1',
    ]);

    // Redelivered with new decisions: the old ones change nothing again. b is transferred at one
    // instant, its unassignment after the assignment (the assignment stands). a is assigned to
    // agent-6, then to agent-7 and taken back from agent-7 at one instant: in this order, nobody
    // holds it (the other way round, agent-7 would). An assignment of a under another workspace's
    // id changes nothing of this workspace's.
    await assignments.record([
      ...batch,
      assign(b, 'agent-5', 4_000),
      unassign(b, 'agent-3', 4_000),
      assign(a, 'agent-6', 3_000),
      assign(a, 'agent-7', 5_000),
      unassign(a, 'agent-7', 5_000),
      { ...assign(a, 'agent-x', 9_000), workspaceId: randomUUID() },
    ]);
    expect(await state(a)).toEqual({ assigneeId: null, queueId: 'billing' });
    expect(await state(b)).toEqual({ assigneeId: 'agent-5', queueId: 'support' });
    expect(await recorded(a)).toHaveLength(7);
    expect((await recorded(b)).sort()).toEqual([
      'assign:agent-3',
      'assign:agent-5',
      'unassign:agent-3',
      'unassign:agent-4',
    ]);
    expect(await count('SELECT count(*) AS n FROM history.bot_holds WHERE workspace_id = $1', [ws])).toBe(1);
  });

  it("records an outbox row's status changes unless its statement recorded them itself", async () => {
    const ws = randomUUID();
    const change = (cause?: 'merge') =>
      statusChangedEntry({
        workspaceId: ws,
        conversationId: randomUUID(),
        customerId: randomUUID(),
        status: 'resolved',
        previousStatus: 'open',
        changedBy: agent,
        changedAt: new Date().toISOString(),
        cause,
      });
    const [unmarked, merged, marked] = [change(), change('merge'), change()];
    // Another event in the row: not a status change.
    const appended = messageAppendedEntry({
      workspaceId: ws,
      message: {
        conversationId: randomUUID(),
        customerId: randomUUID(),
        messageId: randomUUID(),
        sequence: 1,
        direction: 'in',
        channel: 'sms',
        channelAccountId: 'account',
        text: 'conversation.status.changed',
        attachments: [],
        sender: { type: 'customer' },
        createdAt: new Date().toISOString(),
        openedConversation: false,
      },
    });
    const client = await app.db.connect();
    try {
      // Rolled back: the relay never sees the rows.
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO history.outbox (entries, status_changes_recorded)
         VALUES ($1::json, false), ($2::json, true)`,
        [outboxJson([unmarked, appended, merged]), outboxJson([marked])],
      );
      const found = await client.query<{ event_id: string; cause: string | null; changed_by: unknown }>(
        'SELECT event_id, cause, changed_by FROM history.status_changes WHERE workspace_id = $1 ORDER BY cause',
        [ws],
      );
      expect(found.rows).toEqual([
        { event_id: merged.event.id, cause: 'merge', changed_by: agent },
        { event_id: unmarked.event.id, cause: null, changed_by: agent },
      ]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('finds the conversations a status change locks by their primary key, whatever the statistics', async () => {
    // A prepared statement keeps the generic plan it made, and on a table without statistics any
    // (workspace_id, …) index looked as cheap as the primary key: 2,559 rows filtered per call.
    const text = await genericPlan(
      SET_STATUSES,
      'uuid[], uuid[], text[], timestamptz[], jsonb, text[]',
      `ARRAY['${randomUUID()}', '${randomUUID()}']::uuid[], ARRAY['${randomUUID()}', '${randomUUID()}']::uuid[],
       ARRAY['resolved', 'open'], ARRAY[now(), now()], '[{}, {}]', ARRAY[NULL, NULL]::text[]`,
    );
    const lockedRead = text.slice(text.indexOf('CTE cur'), text.indexOf('CTE change'));
    expect(lockedRead).toMatch(
      /conversations_pkey on conversations \w+ .*\n\s+Index Cond: \(id = asked\.id\)/,
    );
    expect(readByWorkspaceAlone(text)).toEqual([]);
    // The update finds each row it changes by its key too, not by a scan of every conversation.
    expect(text).not.toMatch(/Seq Scan on conversations/);
  });

  it('writes status changes asked at once in one statement, each answered as it would be alone (ADR 0159)', async () => {
    const ws = randomUUID();
    const phones = ['+14155550181', '+14155550182', '+14155550183', '+14155550184'];
    await publishInbound(phones.map((phone) => sms(ws, phone, 'hello')));
    await waitFor(() => appended(ws).length === phones.length, { what: 'the conversations' });
    const ids = new Map(appended(ws).map((e) => [e.payload.customerId, e.payload.conversationId]));
    const [a, b, c, d] = await Promise.all(
      phones.map(async (phone) => ids.get((await customerOf(ws, 'phone', phone)).id)!),
    );
    await app.db.query("UPDATE history.conversations SET assignee_id = 'agent-2' WHERE id = $1", [d]);

    // Every status change's statement, counted at the client (the statement's name, whatever its text).
    const statements: string[] = [];
    const clientQuery = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const name = (args[0] as { name?: string } | undefined)?.name;
      if (name?.startsWith('history.conversations.set-status') === true) statements.push(name);
      return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof clientQuery;
    let outcomes: PromiseSettledResult<{ id: string; status: string }>[];
    try {
      outcomes = await Promise.allSettled([
        app.api.setConversationStatus(ws, a!, 'resolved', agent),
        app.api.setConversationStatus(ws, b!, 'resolved', agent),
        // The same conversation again: after the first change, as if one after the other.
        app.api.setConversationStatus(ws, a!, 'open', agent),
        app.api.setConversationStatus(ws, c!, 'open', agent),
        app.api.setConversationStatus(ws, d!, 'resolved', agent, { onlyOwnOrUnassigned: true }),
        app.api.setConversationStatus(randomUUID(), b!, 'pending', agent),
        app.api.setConversationStatus(ws, randomUUID(), 'resolved', agent),
        app.api.setConversationStatus(ws, c!, 'pending', agent),
      ]);
    } finally {
      pg.Client.prototype.query = clientQuery;
    }
    const answer = (o: PromiseSettledResult<{ id: string; status: string }>) =>
      o.status === 'fulfilled' ? `${o.value.id}:${o.value.status}` : (o.reason as Error).constructor.name;
    expect(outcomes.map(answer)).toEqual([
      `${a}:resolved`,
      `${b}:resolved`,
      `${a}:open`,
      `${c}:open`,
      PermissionDeniedError.name,
      NotFoundError.name,
      NotFoundError.name,
      `${c}:pending`,
    ]);
    // The first alone (nothing was waiting), the rest together but for the second change asked of
    // a conversation, and each change the shared statement did not find again alone (was it locked?).
    expect(statements).toEqual([
      'history.conversations.set-statuses.skip-locked',
      'history.conversations.set-statuses.skip-locked',
      'history.conversations.set-statuses',
      'history.conversations.set-statuses.skip-locked',
      'history.conversations.set-statuses',
    ]);
    expect((await app.api.getConversation(ws, d!)).status).toBe('open');
    expect((await app.api.getConversation(ws, b!)).status).toBe('resolved');

    // Each change's event, in the order asked for its conversation, and its record (ADR 0152).
    await waitFor(() => statusChanges(ws, c!).length === 1, { what: 'the events' });
    await waitFor(() => statusChanges(ws, a!).length === 2, { what: 'the events' });
    expect(statusChanges(ws, a!).map((p) => `${p.previousStatus}>${p.status}`)).toEqual([
      'open>resolved',
      'resolved>open',
    ]);
    expect(statusChanges(ws, b!).map((p) => `${p.previousStatus}>${p.status}`)).toEqual(['open>resolved']);
    expect(statusChanges(ws, c!).map((p) => `${p.previousStatus}>${p.status}`)).toEqual(['open>pending']);
    expect(statusChanges(ws, d!)).toEqual([]);
    const recorded = await app.db.query<{ conversation_id: string; status: string; previous_status: string }>(
      `SELECT conversation_id, status, previous_status FROM history.status_changes
       WHERE workspace_id = $1 ORDER BY at, status DESC`,
      [ws],
    );
    expect(recorded.rows.map((r) => `${r.conversation_id}:${r.previous_status}>${r.status}`).sort()).toEqual(
      [`${a}:open>resolved`, `${a}:resolved>open`, `${b}:open>resolved`, `${c}:open>pending`].sort(),
    );
  });

  it('writes a change of a conversation another transaction holds alone, without holding up the others', async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550187', 'held'), sms(ws, '+14155550188', 'free')]);
    await waitFor(() => appended(ws).length === 2, { what: 'the conversations' });
    const held = appended(ws).find((e) => e.payload.text === 'held')!.payload.conversationId;
    const free = appended(ws).find((e) => e.payload.text === 'free')!.payload.conversationId;
    const holder = await app.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM history.conversations WHERE id = $1 FOR UPDATE', [held]);
      const waiting = app.api.setConversationStatus(ws, held, 'resolved', agent);
      // Asked after it and answered while it still waits for the row (else this test never ends).
      expect((await app.api.setConversationStatus(ws, free, 'resolved', agent)).status).toBe('resolved');
      await holder.query('COMMIT');
      expect((await waiting).status).toBe('resolved');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
  });

  it('answers a reopen refused in a statement of several with its own refusal, the others changed', async () => {
    const ws = randomUUID();
    await publishInbound([sms(ws, '+14155550185', 'first')]);
    await waitFor(() => appended(ws).length === 1, { what: 'the first conversation' });
    const first = appended(ws)[0]!.payload.conversationId;
    await app.api.setConversationStatus(ws, first, 'resolved', agent);
    await publishInbound([sms(ws, '+14155550185', 'second'), sms(ws, '+14155550186', 'other')]);
    await waitFor(() => appended(ws).length === 3, { what: 'the second conversation' });
    const second = appended(ws).find((e) => e.payload.text === 'second')!.payload.conversationId;
    const unrelated = appended(ws).find((e) => e.payload.text === 'other')!.payload.conversationId;
    expect(second).not.toBe(first);

    const outcomes = await Promise.allSettled([
      // Alone (nothing waits yet), the same status: nothing changes. The reopen shares the next.
      app.api.setConversationStatus(ws, unrelated, 'open', agent),
      app.api.setConversationStatus(ws, unrelated, 'pending', agent),
      app.api.setConversationStatus(ws, first, 'open', agent),
      app.api.setConversationStatus(ws, unrelated, 'resolved', agent),
    ]);
    expect(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value.status : (o.reason as Error).constructor.name)),
    ).toEqual(['open', 'pending', FailedPreconditionError.name, 'resolved']);
    expect((await app.api.getConversation(ws, first)).status).toBe('resolved');
  });

  /** The plan a prepared statement keeps once it goes generic (forced), its parameters those given. */
  async function genericPlan(sql: string, types: string, values: string): Promise<string> {
    const client = await app.db.connect();
    try {
      await client.query('BEGIN');
      return await genericPlanIn(client, sql, [values], [types]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  /** The relations a plan reads through an index by the workspace alone (each of its rows filtered). */
  function readByWorkspaceAlone(plan: string): string[] {
    const lines = plan.split('\n');
    return lines.flatMap((line, i) =>
      /Index Cond: \(workspace_id = [^)]*\)$/.test(line.trim())
        ? [/ on (\w+)/.exec(lines[i - 1] ?? '')?.[1] ?? lines[i - 1]!]
        : [],
    );
  }

  it("locks a batch of routing's decisions' conversations by primary key, whatever the statistics", async () => {
    // A semi-join's generic plan made on a small table was a sequential scan of every conversation,
    // kept for every batch after (ADR 0143).
    const none = "'{}'";
    const plan = await genericPlan(
      RECORD,
      'uuid[], uuid[], uuid[], text[], text[], text[], timestamptz[], jsonb, uuid[], uuid[], uuid[], boolean[], text[], text[], timestamptz[]',
      `ARRAY['${randomUUID()}']::uuid[], ARRAY['${randomUUID()}']::uuid[], ARRAY['${randomUUID()}']::uuid[],
       ARRAY['agent-1'], ARRAY['q'], ARRAY['assign'], ARRAY[now()], '[null]',
       ${none}, ${none}, ${none}, ${none}, ${none}, ${none}, ${none}`,
    );
    const held = plan.slice(plan.indexOf('CTE held'), plan.indexOf('CTE folded'));
    expect(held).toMatch(
      /Index Scan using conversations_pkey on conversations[^\n]*\n\s*Index Cond: \(id = /,
    );
    expect(held).not.toMatch(/Seq Scan on conversations/);
    expect(readByWorkspaceAlone(plan)).toEqual([]);
  });

  it("finds a batch's stored messages by the provider's id, whatever the statistics", async () => {
    // With the workspace first, every key's probe walked the workspace's messages through
    // messages_by_channel_time, filtering each (ADR 0143).
    const plan = await genericPlan(
      INGEST_LOOKUP,
      'uuid[], text[], text[], text[], text[]',
      `ARRAY['${randomUUID()}']::uuid[], ARRAY['account'], ARRAY['SM1'], ARRAY['phone'], ARRAY['+14155550100']`,
    );
    expect(plan).toMatch(
      /Index (Only )?Scan using messages_provider_id_unique on messages[^\n]*\n\s*Index Cond: \(\(provider_message_id = /,
    );
    expect(readByWorkspaceAlone(plan)).toEqual([]);
  });

  it("reads new identities' claims by value, whatever the statistics", async () => {
    // As a join, the generic plan made on a small table hashed a scan of every claim (ADR 0143).
    const [ws, customer] = [randomUUID(), randomUUID()];
    const plan = await genericPlan(
      CREATE_IDENTITIES,
      'uuid[], uuid[], text[], uuid[], text[], text[], boolean[]',
      `ARRAY['${customer}']::uuid[], ARRAY['${ws}']::uuid[], ARRAY['Ada'], ARRAY['${randomUUID()}']::uuid[],
       ARRAY['phone'], ARRAY['+14155550100'], ARRAY[true]`,
    );
    expect(plan).toMatch(/Index Scan using identity_claims_by_value on identity_claims/);
    expect(plan).not.toMatch(/Seq Scan on identity_claims/);
  });

  it('finds what a reply locks and where it goes by their keys, whatever the statistics', async () => {
    // The named conversation was read through conversations_by_assignee (every conversation of the
    // workspace filtered by id) and the customer's identities through their workspace (ADR 0143).
    const plan = await genericPlan(
      LOOKUP,
      'uuid, text, uuid, uuid, text, jsonb, boolean, text',
      `'${randomUUID()}', 'key', '${randomUUID()}', NULL, NULL, '{}', false, '0'`,
    );
    const named = plan.slice(plan.indexOf('CTE named'), plan.indexOf('CTE chain'));
    expect(named).toMatch(/Index Cond: \(id = \$3\)/);
    expect(plan).toMatch(/identities_by_customer/);
    // Only the rare fallback for a conversation without a channel (its customer's latest inbound
    // message, by time) is left reading by the workspace.
    expect(readByWorkspaceAlone(plan).filter((relation) => relation !== 'messages')).toEqual([]);
  });

  it("never shows one workspace another's data", async () => {
    const ws = randomUUID();
    const other = randomUUID();
    await publishInbound([sms(ws, '+14155550109', 'secret order 12345')]);
    await waitFor(() => appended(ws).length === 1);
    const { customerId, conversationId, messageId } = appended(ws)[0]!.payload;
    await expect(app.api.getCustomer(other, customerId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.api.getConversation(other, conversationId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.api.getTimeline(other, customerId, {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.api.listMessages(other, conversationId, {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.api.listAssignments(other, conversationId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.api.exportCustomer(other, customerId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.api.eraseCustomer(other, customerId, agent)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      app.api.sendMessage(other, { idempotencyKey: randomUUID(), conversationId, text: 'hi', sender: agent }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      app.api.setConversationStatus(other, conversationId, 'resolved', agent),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await app.api.searchMessages(other, { query: 'secret' })).items).toEqual([]);
    expect(
      (await app.api.findCustomers(other, { identity: { kind: 'phone', value: '+14155550109' } })).items,
    ).toEqual([]);
    expect((await app.api.listConversations(other, {})).items).toEqual([]);
    expect((await app.api.searchMessages(ws, { query: 'secret order' })).items.map((m) => m.id)).toEqual([
      messageId,
    ]);
    await expect(app.api.getCustomer(ws, 'not-a-uuid')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a malformed query at the port, naming the field, instead of failing inside', async () => {
    const ws = randomUUID();
    const refusal = async (call: Promise<unknown>) => {
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      return [...new Set((error as InvalidArgumentError).fieldViolations.map((v) => v.field))];
    };
    // What a caller over internal RPC may send: JSON that does not match the port's types.
    const untyped = <T>(value: unknown) => value as T;
    expect(await refusal(app.api.findCustomers(ws, untyped({ text: 1 })))).toEqual(['text']);
    expect(
      await refusal(app.api.findCustomers(ws, untyped({ identity: { kind: 'pigeon', value: 'x' } }))),
    ).toEqual(['identity.kind']);
    expect(await refusal(app.api.getTimeline(ws, randomUUID(), untyped({ channel: 'fax' })))).toEqual([
      'channel',
    ]);
    expect(await refusal(app.api.searchMessages(ws, untyped({ query: ['a'] })))).toEqual(['query']);
    expect(await refusal(app.api.listConversations(ws, untyped({ status: 'open' })))).toEqual(['status']);
    expect(await refusal(app.api.listConversations(ws, untyped({ pageSize: 'ten' })))).toEqual(['pageSize']);
    expect(await refusal(app.api.listMessages(ws, randomUUID(), untyped({ afterSequence: -1 })))).toEqual([
      'afterSequence',
    ]);
    expect(
      await refusal(
        app.api.setConversationStatus(
          ws,
          randomUUID(),
          'resolved',
          agent,
          untyped({ onlyOwnOrUnassigned: 'yes' }),
        ),
      ),
    ).toEqual(['options.onlyOwnOrUnassigned']);
    // Well-formed queries still read.
    expect((await app.api.findCustomers(ws, { text: 'al', pageSize: 500 })).items).toEqual([]);
    expect((await app.api.listConversations(ws, { customerId: 'not-a-uuid' })).items).toEqual([]);
  });

  it('erases a customer: content and identities gone, counts kept, erasure recorded', async () => {
    const ws = randomUUID();
    await publishInbound([
      sms(ws, '+14155550110', 'my address is 1 Main St'),
      sms(ws, '+14155550110', 'thanks'),
    ]);
    await waitFor(() => appended(ws).length === 2);
    const customer = await customerOf(ws, 'phone', '+14155550110');
    await app.api.updateCustomer(ws, customer.id, { name: 'Alan', attributes: { plan: 'gold' } }, agent);
    const erasure = await app.api.eraseCustomer(ws, customer.id, agent);
    expect(erasure).toMatchObject({
      customerId: customer.id,
      messagesErased: 2,
      identitiesErased: 1,
      conversationsKept: 1,
    });
    expect(await app.api.eraseCustomer(ws, customer.id, agent)).toEqual(erasure);
    // Announced once (erasing again emits nothing), after the open conversation's resolution, with
    // the customer's conversations, for the stores downstream (reporting: ADR 0107).
    const conversationId = appended(ws)[0]!.payload.conversationId;
    const announced = await waitFor(() => {
      const events = app.emitted.filter((e) => e.workspaceId === ws && e.type === CustomerErasedV1.type);
      return events.length > 0 ? events : undefined;
    });
    expect(announced.map((e) => e.payload)).toEqual([
      { customerId: customer.id, conversationIds: [conversationId], erasedAt: erasure.erasedAt },
    ]);
    const order = app.emitted.filter((e) => e.workspaceId === ws).map((e) => e.type);
    expect(order.slice(-2)).toEqual([ConversationStatusChangedV1.type, CustomerErasedV1.type]);
    const after = await app.api.getCustomer(ws, customer.id);
    expect(after).toMatchObject({ name: null, attributes: {}, identities: [], erasedAt: erasure.erasedAt });
    const timeline = await app.api.getTimeline(ws, customer.id, {});
    expect(timeline.items.map((m) => m.text)).toEqual([null, null]);
    expect((await app.api.searchMessages(ws, { query: 'Main' })).items).toEqual([]);
    const { rows } = await app.db.query(
      'SELECT 1 FROM history.messages WHERE workspace_id = $1 AND text IS NOT NULL',
      [ws],
    );
    expect(rows).toHaveLength(0);
    const exported = await app.api.exportCustomer(ws, customer.id);
    expect(exported.messages).toHaveLength(2);
    expect(exported.customer.identities).toEqual([]);
    // The number writes again: a new customer, with none of the erased history.
    await publishInbound([sms(ws, '+14155550110', 'hello again')]);
    await waitFor(() => appended(ws).length === 3);
    expect(appended(ws)[2]!.payload.customerId).not.toBe(customer.id);
  });
});
