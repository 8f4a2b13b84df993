import type { grpcV1, SwitchboardClients } from '@switchboard/contracts';
import { KafkaEventBus } from '@switchboard/messaging';
import {
  collectStream,
  localSwitchboardClients,
  rpcFailure,
  waitFor,
  unreachablePorts,
  workspaceEvent,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { EventFeedConsumer } from '../src/events/event-feed.consumer.js';
import { FeedNotifierService } from '../src/events/feed-notifier.service.js';
import { startGrpcApiTestApp, type GrpcApiTestApp } from './grpc-api-test-app.js';

type Event = grpcV1.Event__Output;

/**
 * EventService.Subscribe end to end on the real Kafka and PostgreSQL: events published to the
 * bus's topics reach a subscriber; it disconnects, more events happen, it resubscribes with its
 * last cursor, and it has seen every event of its workspace exactly once, in order, and none of
 * another workspace's.
 */
describe('EventService.Subscribe', () => {
  let api: GrpcApiTestApp;
  let bus: KafkaEventBus;
  let clients: SwitchboardClients;
  const workspace = randomUUID();
  const other = randomUUID();
  const conversation = randomUUID();
  let n = 0;

  const publish = async (workspaceId: string, count: number) => {
    const events = Array.from({ length: count }, () => workspaceEvent(workspaceId, conversation, n++));
    await bus.emit(events);
    return events.map((e) => e.id);
  };
  const subscribe = (request: grpcV1.SubscribeRequest) =>
    collectStream<Event>(clients.events.Subscribe(request));

  beforeAll(async () => {
    api = await startGrpcApiTestApp('grpc_events', { providers: unreachablePorts() });
    await api.app.get(EventFeedConsumer).assigned;
    bus = new KafkaEventBus({
      brokers: process.env.KAFKA_BROKERS!.split(','),
      clientId: 'grpc-events-test',
      topicPrefix: api.topicPrefix,
      partitions: 2,
      replicationFactor: 1,
    });
    const { key } = await api.keys.createApiKey(workspace, { name: 'crm', scope: 'read', createdBy: 'test' });
    clients = localSwitchboardClients(api.port, key);
  });

  afterAll(async () => {
    clients?.close();
    await bus?.close();
    await api?.close();
  });

  it('resumes after a reconnect with nothing missed and nothing twice', async () => {
    const first = subscribe({ startAt: 'START_AT_EARLIEST' });
    const published = [...(await publish(workspace, 24)), ...(await publish(other, 8))];
    // The same event delivered again (a producer retry): still one event in the stream.
    const again = workspaceEvent(workspace, conversation, n++);
    await bus.emit([again, again]);
    published.push(again.id);
    await waitFor(() => first.items.length >= 10, {
      what: 'the first events on the stream',
      timeoutMs: 30_000,
    });
    first.cancel();
    await first.ended;
    const seenBefore = [...first.items];
    const cursor = seenBefore.at(-1)!.cursor;

    // While the integrator is away, more happens.
    published.push(...(await publish(workspace, 16)));
    const mine = published.filter((_, i) => i < 24 || i >= 32);

    const second = subscribe({ cursor });
    await waitFor(() => seenBefore.length + second.items.length >= mine.length, {
      what: 'the rest of the events after the reconnect',
      timeoutMs: 30_000,
    });
    // Nothing more arrives: no duplicates trickling in late, nothing of the other workspace.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    second.cancel();
    await second.ended;

    const all = [...seenBefore, ...second.items];
    expect(all.map((e) => e.id).sort()).toEqual([...mine].sort());
    expect(all.map((e) => Number(e.cursor))).toEqual(all.map((_, i) => i + 1));
    // Per topic the log's order is kept: messages arrive in their sequence order.
    const sequences = all
      .filter((e) => e.payload === 'messageAppended')
      .map((e) => Number(e.messageAppended!.message!.sequence));
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    const assigned = all.find((e) => e.type === 'EVENT_TYPE_CONVERSATION_ASSIGNED')!;
    expect(assigned.conversationAssigned).toMatchObject({
      conversationId: conversation,
      queueId: 'billing',
      offer: false,
      explanation: { stepIndex: 0, stepExpression: 'billing >= 3', reason: 'least occupied' },
    });
    const delivered = all.find((e) => e.type === 'EVENT_TYPE_DELIVERY_STATUS_CHANGED')!;
    expect(delivered.deliveryStatusChanged).toMatchObject({
      channel: 'CHANNEL_SMS',
      status: 'DELIVERY_STATUS_DELIVERED',
    });
    expect(delivered.occurredAt?.seconds).toMatch(/^\d+$/);
  });

  it('filters by type, and START_AT_LATEST sees only what happens next', async () => {
    const filtered = subscribe({
      startAt: 'START_AT_EARLIEST',
      types: ['EVENT_TYPE_DELIVERY_STATUS_CHANGED'],
    });
    const latest = subscribe({});
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = await publish(workspace, 4);
    await waitFor(() => latest.items.length >= 4, { what: 'the new events', timeoutMs: 30_000 });
    await waitFor(() => filtered.items.some((e) => ids.includes(e.id)), {
      what: 'the new receipt',
      timeoutMs: 30_000,
    });
    filtered.cancel();
    latest.cancel();
    // Across topics the feed has the order the events were consumed in; the set is exact.
    expect(latest.items.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(filtered.items.length).toBeGreaterThan(1);
    expect(filtered.items.every((e) => e.type === 'EVENT_TYPE_DELIVERY_STATUS_CHANGED')).toBe(true);
  });

  it('polls while the notification connection is down, and is woken by notifications again after', async () => {
    const notifier = api.app.get(FeedNotifierService);
    const stream = subscribe({});
    await new Promise((resolve) => setTimeout(resolve, 500));
    const admin = new pg.Client({ connectionString: api.database.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'switchboard:api-listen' AND datname = current_database()`,
      );
      expect(killed.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await waitFor(() => !notifier.listening(), { what: 'the notifier to notice', timeoutMs: 10_000 });
    const whileDown = await publish(workspace, 3);
    // Well under the 30 s safety reread: delivered by polling, or by the wake-up on listening again.
    await waitFor(() => whileDown.every((id) => stream.items.some((e) => e.id === id)), {
      what: 'the events stored while not listening',
      timeoutMs: 10_000,
    });
    await waitFor(() => notifier.listening(), { what: 'the notifier to listen again', timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await publish(workspace, 3);
    await waitFor(() => after.every((id) => stream.items.some((e) => e.id === id)), {
      what: 'the events stored once listening again',
      timeoutMs: 10_000,
    });
    stream.cancel();
    await stream.ended;
  });

  it('refuses a cursor that is not one of the workspace’s', async () => {
    for (const cursor of ['abc', '999999999']) {
      const stream = subscribe({ cursor });
      const error = await stream.ended;
      expect(error?.code).toBe(3);
    }
    const otherKey = await api.keys.createApiKey(other, { name: 'o', scope: 'read', createdBy: 'test' });
    const otherClients = localSwitchboardClients(api.port, otherKey.key);
    try {
      const failure = await rpcFailure(
        new Promise((resolve, reject) => {
          const call = otherClients.events.Subscribe({ cursor: '1000' });
          call.on('error', reject);
          call.on('end', resolve);
        }),
      );
      expect(failure.codeName).toBe('INVALID_ARGUMENT');
      expect(failure.status?.fieldViolations[0]?.field).toBe('cursor');
    } finally {
      otherClients.close();
    }
  });
});
