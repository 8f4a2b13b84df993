import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import {
  type ConversationMessageAppendedV1,
  type ConversationStatusChangedV1,
  FailedPreconditionError,
  InvalidArgumentError,
  type MessageDeliveryRequestedV1,
  type MessageSender,
  NotFoundError,
  type SendMessageInput,
} from '@switchboard/contracts';
import { inboundMessageEvent, settle, waitFor } from '@switchboard/testing';
import pg from 'pg';
import { type HistoryTestApp, startHistoryTestApp } from './history-test-app.js';

const agent: MessageSender = { type: 'agent', id: 'agent-1', name: 'Ada' };

/**
 * `HistoryApi.sendMessage` on the real Kafka broker and PostgreSQL: what a send chooses (customer,
 * conversation, channel, account, recipient), what it refuses, what it stores and emits, and how
 * many statements it costs (ADR 0012: round trips are the cost of a send).
 */
describe('history outbound sends', () => {
  let app: HistoryTestApp;
  /** The SQL each pg client sent while a call run under `traced` was in flight. */
  const tracing = new AsyncLocalStorage<string[]>();
  const clientQuery = pg.Client.prototype.query;

  beforeAll(async () => {
    app = await startHistoryTestApp('history_outbound_int');
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string };
      tracing.getStore()?.push(typeof config === 'string' ? config : (config.text ?? ''));
      return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof clientQuery;
  }, 60_000);

  afterAll(async () => {
    pg.Client.prototype.query = clientQuery;
    await app?.close();
  });

  const traced = async <T>(call: () => Promise<T>): Promise<{ result: T; statements: string[] }> => {
    const statements: string[] = [];
    const result = await tracing.run(statements, call);
    return { result, statements };
  };
  const send = (
    ws: string,
    input: Omit<SendMessageInput, 'idempotencyKey' | 'sender'> & { idempotencyKey?: string },
  ) => app.api.sendMessage(ws, { idempotencyKey: randomUUID(), sender: agent, ...input });
  const sms = (workspaceId: string, from: string, text: string, channelAccountId = 'sms-account-1') =>
    inboundMessageEvent({
      workspaceId,
      channelAccountId,
      sender: { kind: 'phone', address: from, verified: true },
      text,
    });
  const appended = (workspaceId: string) =>
    app.emitted
      .filter(
        (e): e is ConversationMessageAppendedV1 =>
          e.type === 'conversation.message.appended' && e.workspaceId === workspaceId,
      )
      .map((e) => e.payload);
  const deliveries = (workspaceId: string) =>
    app.emitted
      .filter(
        (e): e is MessageDeliveryRequestedV1 =>
          e.type === 'message.delivery.requested' && e.workspaceId === workspaceId,
      )
      .map((e) => e.payload);
  const statusChanges = (workspaceId: string) =>
    app.emitted
      .filter(
        (e): e is ConversationStatusChangedV1 =>
          e.type === 'conversation.status.changed' && e.workspaceId === workspaceId,
      )
      .map((e) => e.payload);
  /** A customer who wrote once by SMS, and their conversation. */
  const texter = async (ws: string, from: string, channelAccountId = 'sms-account-1') => {
    const text = `hello from ${from}`;
    await app.emit([sms(ws, from, text, channelAccountId)]);
    const event = await waitFor(() => appended(ws).find((e) => e.direction === 'in' && e.text === text));
    return { customerId: event.customerId, conversationId: event.conversationId };
  };
  const messageCount = async (ws: string) =>
    Number(
      (
        await app.db.query<{ n: string }>(
          'SELECT count(*) AS n FROM history.messages WHERE workspace_id = $1',
          [ws],
        )
      ).rows[0]!.n,
    );

  it('replies to an open conversation in four round trips: BEGIN, one read, one write, COMMIT', async () => {
    const ws = randomUUID();
    const { customerId, conversationId } = await texter(ws, '+14155550201');
    const { result, statements } = await traced(() => send(ws, { customerId, text: 'On its way' }));
    expect(result).toEqual({
      messageId: expect.any(String),
      conversationId,
      customerId,
      channel: 'sms',
      created: true,
    });
    expect(statements).toHaveLength(4);
    expect(statements[0]).toMatch(/^START TRANSACTION/);
    expect(statements[3]).toMatch(/^COMMIT/);

    const delivery = await waitFor(() => deliveries(ws).find((d) => d.messageId === result.messageId));
    expect(delivery).toMatchObject({
      conversationId,
      customerId,
      channel: 'sms',
      channelAccountId: 'sms-account-1',
      recipient: { kind: 'phone', address: '+14155550201' },
      text: 'On its way',
      sender: agent,
    });
    const event = await waitFor(() => appended(ws).find((e) => e.messageId === result.messageId));
    expect(event).toMatchObject({ sequence: 2, direction: 'out', channel: 'sms', openedConversation: false });
    const [stored] = await app.api.listMessages(ws, conversationId, { afterSequence: 1 });
    expect(stored).toMatchObject({ id: result.messageId, sequence: 2, deliveryStatus: 'pending' });
    // The event carries the stored time, and the timeline's time order is its sequence order.
    expect(event.createdAt).toBe(stored!.createdAt);
    expect(delivery.requestedAt).toBe(stored!.createdAt);
    const [inbound] = await app.api.listMessages(ws, conversationId, {});
    expect(stored!.createdAt >= inbound!.createdAt).toBe(true);
    const conversation = await app.api.getConversation(ws, conversationId);
    expect(conversation).toMatchObject({
      lastSequence: 2,
      lastMessagePreview: 'On its way',
      waitingSince: null,
    });
    expect(conversation.firstResponseAt).not.toBeNull();
  });

  it('numbers concurrent sends to one conversation gaplessly, timed in sequence order', async () => {
    const ws = randomUUID();
    const { customerId, conversationId } = await texter(ws, '+14155550211');
    const sent = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(ws, { customerId, internalNote: i % 3 === 0, text: `reply ${i}` }),
      ),
    );
    expect(new Set(sent.map((s) => s.conversationId))).toEqual(new Set([conversationId]));
    const messages = await app.api.listMessages(ws, conversationId, {});
    expect(messages.map((m) => m.sequence)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const byTime = await app.db.query<{ sequence: number }>(
      'SELECT sequence FROM history.messages WHERE conversation_id = $1 ORDER BY created_at, id',
      [conversationId],
    );
    expect(byTime.rows.map((r) => r.sequence)).toEqual(messages.map((m) => m.sequence));
    expect((await app.api.getConversation(ws, conversationId)).lastSequence).toBe(13);
  });

  it('answers a retried key with the first send’s message, created: false, sending nothing again', async () => {
    const ws = randomUUID();
    const { customerId } = await texter(ws, '+14155550202');
    const idempotencyKey = randomUUID();
    const first = await send(ws, { idempotencyKey, customerId, text: 'once' });
    const { result: again, statements } = await traced(() =>
      send(ws, { idempotencyKey, customerId, text: 'once' }),
    );
    expect(again).toEqual({ ...first, created: false });
    expect(statements).toHaveLength(3);
    // Concurrent retries meet on the key: one message, every caller told which.
    const racedKey = randomUUID();
    const raced = await Promise.all(
      Array.from({ length: 5 }, () => send(ws, { idempotencyKey: racedKey, customerId, text: 'raced' })),
    );
    expect(raced.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(raced.map((r) => r.messageId)).size).toBe(1);
    // By identity too, and a retry creates no customer.
    const byIdentity = {
      idempotencyKey: randomUUID(),
      identity: { kind: 'phone' as const, value: '+14155550299' },
      channel: 'sms' as const,
      text: 'hi',
    };
    const created = await send(ws, byIdentity);
    expect(await send(ws, byIdentity)).toEqual({ ...created, created: false });
    await settle(500);
    expect(await messageCount(ws)).toBe(4);
    expect(deliveries(ws)).toHaveLength(3);
  });

  it('writes to the customer an old id was merged into, in their conversation', async () => {
    const ws = randomUUID();
    const target = await texter(ws, '+14155550203');
    const source = await texter(ws, '+14155550204');
    await app.api.mergeCustomers(
      ws,
      { targetCustomerId: target.customerId, sourceCustomerId: source.customerId },
      agent,
    );
    const sent = await send(ws, { customerId: source.customerId, text: 'merged' });
    expect(sent).toMatchObject({
      customerId: target.customerId,
      conversationId: target.conversationId,
      channel: 'sms',
    });
    // To the number they last wrote from, which the merge made theirs.
    expect(await waitFor(() => deliveries(ws).find((d) => d.messageId === sent.messageId))).toMatchObject({
      customerId: target.customerId,
      recipient: { kind: 'phone', address: '+14155550204' },
    });
    // The source's conversation was resolved by the merge: reopening it would make two open.
    await expect(
      send(ws, { conversationId: source.conversationId, text: 'old thread' }),
    ).rejects.toBeInstanceOf(FailedPreconditionError);
  });

  it('refuses an erased customer, an unknown one, and a conversation of another customer', async () => {
    const ws = randomUUID();
    const erased = await texter(ws, '+14155550205');
    const other = await texter(ws, '+14155550206');
    await app.api.eraseCustomer(ws, erased.customerId, agent);
    const before = await messageCount(ws);
    await expect(send(ws, { customerId: erased.customerId, text: 'hello?' })).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    await expect(
      send(ws, { conversationId: erased.conversationId, text: 'hello?', internalNote: true }),
    ).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(send(ws, { customerId: randomUUID(), text: 'hello?' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(send(ws, { conversationId: randomUUID(), text: 'hello?' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      send(ws, { conversationId: other.conversationId, customerId: erased.customerId, text: 'hello?' }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await messageCount(ws)).toBe(before);
  });

  it('chooses channel, account and recipient: named, last inbound, identity fallback, none', async () => {
    const ws = randomUUID();
    const { customerId, conversationId } = await texter(ws, '+14155550207', 'sms-account-7');
    // Named channel the customer never wrote on: their phone number, the default account (on
    // WhatsApp only a template goes to someone who has not written there).
    await expect(send(ws, { customerId, channel: 'whatsapp', text: 'on WhatsApp' })).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    const template = { name: 'welcome', language: 'en_US', parameters: [] };
    const whatsapp = await send(ws, { customerId, channel: 'whatsapp', text: null, template });
    expect(whatsapp).toMatchObject({ channel: 'whatsapp', conversationId });
    // Named account wins; otherwise the conversation's (the account they wrote to).
    const named = await send(ws, { customerId, channelAccountId: 'sms-account-9', text: 'from 9' });
    const usual = await send(ws, { customerId, text: 'usual' });
    await waitFor(() => deliveries(ws).length === 3);
    const byId = new Map(deliveries(ws).map((d) => [d.messageId, d]));
    expect(byId.get(whatsapp.messageId)).toMatchObject({
      channel: 'whatsapp',
      channelAccountId: null,
      recipient: { kind: 'phone', address: '+14155550207' },
      template,
      text: 'Template welcome (en_US)',
    });
    expect(byId.get(named.messageId)).toMatchObject({ channel: 'sms', channelAccountId: 'sms-account-9' });
    expect(byId.get(usual.messageId)).toMatchObject({
      channel: 'sms',
      channelAccountId: 'sms-account-7',
      recipient: { kind: 'phone', address: '+14155550207' },
    });
    // No address on the channel, and no channel at all for someone who never wrote: refused, nothing kept.
    await expect(send(ws, { customerId, channel: 'telegram', text: 'x' })).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    await expect(
      send(ws, { identity: { kind: 'phone', value: '+14155550298' }, text: 'no channel named' }),
    ).rejects.toBeInstanceOf(FailedPreconditionError);
    expect(
      (await app.api.findCustomers(ws, { identity: { kind: 'phone', value: '+14155550298' } })).items,
    ).toEqual([]);
  });

  it('refuses a reply outside the provider’s window before accepting it; a WhatsApp template goes', async () => {
    const ws = randomUUID();
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const wrote = async (channel: 'whatsapp' | 'messenger', address: string, at: string) => {
      const kind = channel === 'whatsapp' ? 'phone' : 'messenger';
      const text = `${channel} from ${address} at ${at}`;
      await app.emit([
        inboundMessageEvent({
          workspaceId: ws,
          channel,
          channelAccountId: `${channel}-account`,
          sender: { kind, address, verified: true },
          text,
          receivedAt: at,
        }),
      ]);
      return (await waitFor(() => appended(ws).find((e) => e.text === text))).customerId;
    };

    const waCustomer = await wrote('whatsapp', '+14155550301', hoursAgo(25));
    const before = await messageCount(ws);
    const refused = send(ws, { customerId: waCustomer, text: 'Still there?' });
    await expect(refused).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(refused).rejects.toThrow(/24 hours.*template/);
    expect(await messageCount(ws)).toBe(before);
    const template = { name: 'order_update', language: 'en_US', parameters: ['Inès', 'A-17'] };
    const sent = await send(ws, { customerId: waCustomer, text: 'Hello Inès, A-17 has shipped.', template });
    const delivery = await waitFor(() => deliveries(ws).find((d) => d.messageId === sent.messageId));
    expect(delivery).toMatchObject({
      channel: 'whatsapp',
      channelAccountId: 'whatsapp-account',
      text: 'Hello Inès, A-17 has shipped.',
      template,
    });
    // Inside the window free text goes, with the message that opened it for the channel's own
    // check (ADR 0126): the channel may not have recorded that window yet.
    const recentAt = hoursAgo(2);
    const recent = await wrote('whatsapp', '+14155550302', recentAt);
    const yes = await send(ws, { customerId: recent, text: 'Yes!' });
    expect(yes).toMatchObject({ created: true });
    expect(await waitFor(() => deliveries(ws).find((d) => d.messageId === yes.messageId))).toMatchObject({
      lastInbound: { channelAccountId: 'whatsapp-account', address: '+14155550302', at: recentAt },
    });

    // Messenger: up to 7 days history lets the channel decide (the page may have the HUMAN_AGENT tag).
    const twoDays = await wrote('messenger', '7001', hoursAgo(48));
    await expect(send(ws, { customerId: twoDays, text: 'Sorry' })).resolves.toMatchObject({ created: true });
    const eightDays = await wrote('messenger', '7002', hoursAgo(8 * 24));
    await expect(send(ws, { customerId: eightDays, text: 'Sorry' })).rejects.toThrow(/7 days/);
    // Templates are WhatsApp's.
    await expect(send(ws, { customerId: twoDays, text: null, template })).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    await expect(
      send(ws, { customerId: twoDays, channel: 'messenger', text: null, template }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('asks a web customer for a card form, carries the token they send back, and refuses a form elsewhere', async () => {
    const ws = randomUUID();
    const visitor = 'v_card_form_visitor';
    await app.emit([
      inboundMessageEvent({
        workspaceId: ws,
        channel: 'web',
        channelAccountId: 'wk_1',
        sender: { kind: 'web_visitor', address: visitor, verified: false },
        text: 'I want to pay',
      }),
    ]);
    const first = await waitFor(() => appended(ws).find((e) => e.text === 'I want to pay'));
    const asked = await send(ws, {
      customerId: first.customerId,
      text: 'Your card, please',
      form: { kind: 'card' },
    });
    expect(await waitFor(() => deliveries(ws).find((d) => d.messageId === asked.messageId))).toMatchObject({
      channel: 'web',
      form: { kind: 'card' },
    });
    // What the widget sends back: the summary as text, the token in the hints, on to integrators.
    await app.emit([
      inboundMessageEvent({
        workspaceId: ws,
        channel: 'web',
        channelAccountId: 'wk_1',
        sender: { kind: 'web_visitor', address: visitor, verified: false },
        text: 'Card •••• 4242 submitted',
        hints: { secureForm: 'card', formMessageId: asked.messageId, cardToken: 'tok_1', cardLast4: '4242' },
      }),
    ]);
    expect(
      await waitFor(() => appended(ws).find((e) => e.text === 'Card •••• 4242 submitted')),
    ).toMatchObject({
      hints: { cardToken: 'tok_1', formMessageId: asked.messageId },
    });
    const texted = await texter(ws, '+14155550299');
    await expect(
      send(ws, { customerId: texted.customerId, text: 'Card?', form: { kind: 'card' } }),
    ).rejects.toThrow(FailedPreconditionError);
    await expect(
      send(ws, { customerId: first.customerId, text: 'Card?', internalNote: true, form: { kind: 'card' } }),
    ).rejects.toThrow(InvalidArgumentError);
  });

  it('opens a conversation for a first message to an identity, from the default account', async () => {
    const ws = randomUUID();
    const sent = await send(ws, {
      identity: { kind: 'phone', value: '+1 (415) 555-0208' },
      channel: 'sms',
      text: 'Welcome',
    });
    expect(sent).toMatchObject({ channel: 'sms', created: true });
    const event = await waitFor(() => appended(ws).find((e) => e.messageId === sent.messageId));
    expect(event).toMatchObject({
      conversationId: sent.conversationId,
      customerId: sent.customerId,
      sequence: 1,
      direction: 'out',
      openedConversation: true,
      customerAttributes: {},
    });
    const delivery = await waitFor(() => deliveries(ws).find((d) => d.messageId === sent.messageId));
    expect(delivery).toMatchObject({
      channelAccountId: null,
      recipient: { kind: 'phone', address: '+14155550208' },
    });
    // The next message to them goes to the same conversation, and opens nothing.
    const next = await send(ws, { customerId: sent.customerId, channel: 'sms', text: 'again' });
    expect(next.conversationId).toBe(sent.conversationId);
    expect(await waitFor(() => appended(ws).find((e) => e.messageId === next.messageId))).toMatchObject({
      sequence: 2,
      openedConversation: false,
    });
  });

  it('keeps notes: never delivered, no first response, the preview and waiting time left as they were', async () => {
    const ws = randomUUID();
    const { customerId, conversationId } = await texter(ws, '+14155550209');
    const waiting = await app.api.getConversation(ws, conversationId);
    const note = await send(ws, { customerId, internalNote: true, text: 'VIP, be nice' });
    expect(note).toMatchObject({ channel: null, conversationId, created: true });
    expect(await waitFor(() => appended(ws).find((e) => e.messageId === note.messageId))).toMatchObject({
      direction: 'note',
      channel: null,
      channelAccountId: null,
      sequence: 2,
    });
    const after = await app.api.getConversation(ws, conversationId);
    expect(after).toMatchObject({
      firstResponseAt: null,
      waitingSince: waiting.waitingSince,
      lastMessagePreview: 'hello from +14155550209',
      lastSequence: 2,
    });
    const [stored] = await app.api.listMessages(ws, conversationId, { afterSequence: 1 });
    expect(stored).toMatchObject({ direction: 'note', deliveryStatus: null });
    // The first reply is the first response; a later one does not move it.
    await send(ws, { customerId, text: 'Hi!' });
    const answered = await app.api.getConversation(ws, conversationId);
    expect(answered.firstResponseAt).not.toBeNull();
    await send(ws, { customerId, text: 'Anything else?' });
    expect((await app.api.getConversation(ws, conversationId)).firstResponseAt).toBe(
      answered.firstResponseAt,
    );
    await settle(500);
    expect(deliveries(ws).map((d) => d.text)).toEqual(['Hi!', 'Anything else?']);
  });

  it('reopens a resolved conversation it is asked to write in; a note leaves it resolved', async () => {
    const ws = randomUUID();
    const { customerId, conversationId } = await texter(ws, '+14155550210');
    await app.api.setConversationStatus(ws, conversationId, 'resolved', agent);
    await send(ws, { conversationId, internalNote: true, text: 'closed for now' });
    expect((await app.api.getConversation(ws, conversationId)).status).toBe('resolved');
    const reply = await send(ws, { conversationId, customerId, text: 'One more thing' });
    expect(reply).toMatchObject({ conversationId, channel: 'sms' });
    expect(await app.api.getConversation(ws, conversationId)).toMatchObject({
      status: 'open',
      resolvedAt: null,
    });
    const reopened = await waitFor(() =>
      statusChanges(ws).find((s) => s.status === 'open' && s.previousStatus === 'resolved'),
    );
    expect(reopened).toMatchObject({ conversationId, customerId, changedBy: agent });
  });
});
