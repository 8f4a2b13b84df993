import { HISTORY_API, ROUTING_API, type grpcV1, type SwitchboardClients } from '@switchboard/contracts';
import {
  InMemoryHistory,
  InMemoryRouting,
  localSwitchboardClients,
  rpcFailure,
  unary,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { startGrpcApiTestApp, type GrpcApiTestApp } from './grpc-api-test-app.js';

/**
 * The edge over the ports, with a real grpc-js client, real API keys on PostgreSQL and the real
 * server: what the workspace of the key reaches, how the ports' errors become statuses (NOT_FOUND,
 * ALREADY_EXISTS, FAILED_PRECONDITION), idempotency and deadlines. History and routing are
 * in-memory stand-ins with the ports' contract; the standalone e2e runs the real ones.
 */
describe('gRPC API over the history and routing ports', () => {
  let api: GrpcApiTestApp;
  const history = new InMemoryHistory();
  const routing = new InMemoryRouting(history);
  const workspace = randomUUID();
  const other = randomUUID();
  let keyId: string;
  let c: SwitchboardClients;
  /** A conversation of Ada's, on SMS, three messages in. */
  const smsConversation = {
    customerName: 'Ada',
    channel: 'sms',
    channelAccountId: 'acct-1',
    queueId: 'billing',
    openedAt: '2026-11-30T10:00:00.000Z',
    lastMessageAt: '2026-11-30T10:05:00.250Z',
    lastMessagePreview: 'Is it in stock?',
    lastSequence: 3,
    waitingSince: '2026-11-30T10:00:00.000Z',
  } as const;

  beforeAll(async () => {
    api = await startGrpcApiTestApp('grpc_ports', {
      providers: [
        { provide: HISTORY_API, useValue: history },
        { provide: ROUTING_API, useValue: routing },
      ],
    });
    const created = await api.keys.createApiKey(workspace, {
      name: 'Order system',
      scope: 'read-write',
      createdBy: 't',
    });
    keyId = created.apiKey.id;
    c = localSwitchboardClients(api.port, created.key);
  });

  afterAll(async () => {
    c?.close();
    await api?.close();
  });

  it('reads the key’s workspace only: another workspace’s conversation is NOT_FOUND', async () => {
    const mine = history.addConversation(workspace, smsConversation);
    const theirs = history.addConversation(other, smsConversation);
    const conversation = await unary<
      SwitchboardClients['conversations'],
      'GetConversation',
      object,
      grpcV1.Conversation__Output
    >(c.conversations, 'GetConversation', { conversationId: mine.id });
    expect(conversation).toMatchObject({
      id: mine.id,
      status: 'CONVERSATION_STATUS_OPEN',
      channel: 'CHANNEL_SMS',
      lastSequence: '3',
      customerName: 'Ada',
      assigneeId: '',
      lastMessageAt: { seconds: String(Date.parse('2026-11-30T10:05:00Z') / 1000), nanos: 250_000_000 },
      firstResponseAt: null,
    });
    const failure = await rpcFailure(
      unary(c.conversations, 'GetConversation', { conversationId: theirs.id }),
    );
    expect(failure.codeName).toBe('NOT_FOUND');
    await routing.upsertAgent(workspace, { agentId: 'agent-7', displayName: 'Grace', skills: [] });
    await routing.upsertQueue(workspace, { id: 'vip', name: 'VIP' });
    const transfer = await rpcFailure(
      unary(c.conversations, 'TransferConversation', { conversationId: theirs.id, agentId: 'agent-7' }),
    );
    expect(transfer.codeName).toBe('NOT_FOUND');
    expect(routing.transfers).toHaveLength(0);
    await unary(c.conversations, 'TransferConversation', {
      conversationId: mine.id,
      queueId: 'vip',
      note: 'VIP',
    });
    expect(routing.transfers).toEqual([
      { workspaceId: workspace, conversationId: mine.id, to: { queueId: 'vip' } },
    ]);
  });

  it('sends once per request id, as the integrator, and FAILED_PRECONDITION to an opted-out number', async () => {
    const request = {
      requestId: 'order-1042-shipped',
      identity: { kind: 'IDENTITY_KIND_PHONE', value: '+14155550123' },
      channel: 'CHANNEL_SMS',
      text: 'Your order has shipped',
    };
    const first = await unary<
      SwitchboardClients['conversations'],
      'SendMessage',
      object,
      grpcV1.SendMessageResponse__Output
    >(c.conversations, 'SendMessage', request);
    const again = await unary<
      SwitchboardClients['conversations'],
      'SendMessage',
      object,
      grpcV1.SendMessageResponse__Output
    >(c.conversations, 'SendMessage', request);
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    const stored = [...history.sent.values()].find((s) => s.result.messageId === first.messageId)!;
    expect(stored.workspaceId).toBe(workspace);
    expect(stored.input).toMatchObject({
      idempotencyKey: `grpc:${keyId}:order-1042-shipped`,
      identity: { kind: 'phone', value: '+14155550123' },
      channel: 'sms',
      text: 'Your order has shipped',
      sender: { type: 'integrator', id: keyId, name: 'Order system' },
    });

    history.optedOut.add('+14155550999');
    const refused = await rpcFailure(
      unary(c.conversations, 'SendMessage', {
        ...request,
        requestId: 'r2',
        identity: { kind: 'IDENTITY_KIND_PHONE', value: '+14155550999' },
      }),
    );
    expect(refused.codeName).toBe('FAILED_PRECONDITION');
    expect(refused.details).toMatch(/opted out/);
  });

  it('creates an agent once (ALREADY_EXISTS after), updates only what is given, sets presence', async () => {
    const create = {
      agentId: 'agent-ada',
      displayName: 'Ada',
      skills: [{ skill: 'billing', proficiency: 4 }],
      channelCapacity: [{ channel: 'CHANNEL_SMS', capacity: 3 }],
      maxConcurrent: 6,
    };
    const created = await unary<SwitchboardClients['agents'], 'CreateAgent', object, grpcV1.Agent__Output>(
      c.agents,
      'CreateAgent',
      create,
    );
    expect(created).toMatchObject({
      agentId: 'agent-ada',
      maxConcurrent: 6,
      channelCapacity: [{ channel: 'CHANNEL_SMS', capacity: 3 }],
    });
    expect((await rpcFailure(unary(c.agents, 'CreateAgent', create))).codeName).toBe('ALREADY_EXISTS');

    const updated = await unary<SwitchboardClients['agents'], 'UpdateAgent', object, grpcV1.Agent__Output>(
      c.agents,
      'UpdateAgent',
      {
        agentId: 'agent-ada',
        skills: { skills: [{ skill: 'spanish', proficiency: 5 }] },
      },
    );
    expect(updated).toMatchObject({
      displayName: 'Ada',
      skills: [{ skill: 'spanish', proficiency: 5 }],
      maxConcurrent: 6,
      channelCapacity: [{ channel: 'CHANNEL_SMS', capacity: 3 }],
    });
    const online = await unary<SwitchboardClients['agents'], 'SetPresence', object, grpcV1.Agent__Output>(
      c.agents,
      'SetPresence',
      {
        agentId: 'agent-ada',
        presence: 'PRESENCE_ONLINE',
      },
    );
    expect(online.presence).toBe('PRESENCE_ONLINE');
    expect(
      (await rpcFailure(unary(c.agents, 'UpdateAgent', { agentId: 'nobody', displayName: 'X' }))).codeName,
    ).toBe('NOT_FOUND');
  });

  it('answers ALREADY_EXISTS, from routing, to a queue name another queue of the workspace has', async () => {
    const settings = (name: string) => ({ queue: { name, steps: [{ expression: 'billing >= 1' }] } });
    const billing = await unary<SwitchboardClients['queues'], 'CreateQueue', object, grpcV1.Queue__Output>(
      c.queues,
      'CreateQueue',
      settings('Billing'),
    );
    const sales = await unary<SwitchboardClients['queues'], 'CreateQueue', object, grpcV1.Queue__Output>(
      c.queues,
      'CreateQueue',
      settings('Sales'),
    );
    expect((await rpcFailure(unary(c.queues, 'CreateQueue', settings('billing')))).codeName).toBe(
      'ALREADY_EXISTS',
    );
    expect(
      (await rpcFailure(unary(c.queues, 'UpdateQueue', { queueId: sales.id, ...settings('BILLING') })))
        .codeName,
    ).toBe('ALREADY_EXISTS');
    // Its own name is no clash; an unknown id is NOT_FOUND rather than a new queue.
    const renamed = await unary<SwitchboardClients['queues'], 'UpdateQueue', object, grpcV1.Queue__Output>(
      c.queues,
      'UpdateQueue',
      { queueId: billing.id, ...settings('billing') },
    );
    expect(renamed).toMatchObject({ id: billing.id, name: 'billing' });
    expect(
      (await rpcFailure(unary(c.queues, 'UpdateQueue', { queueId: randomUUID(), ...settings('Support') })))
        .codeName,
    ).toBe('NOT_FOUND');
    expect([...routing.queues.values()].map((q) => q.name)).not.toContain('Support');
  });

  it('answers DEADLINE_EXCEEDED at the deadline while the port is still working', async () => {
    history.listDelayMs = 3_000;
    const started = Date.now();
    const failure = await rpcFailure(
      unary(c.conversations, 'ListConversations', {}, { deadline: Date.now() + 300 }),
    );
    expect(failure.codeName).toBe('DEADLINE_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(2_000);
    history.listDelayMs = 0;
  });
});
