import { randomUUID } from 'node:crypto';
import { ConversationAssignedV1 } from '@switchboard/contracts';
import { createTestDatabase, testRunId, waitFor, type TestDatabase } from '@switchboard/testing';
import {
  openedEvent,
  routingTestBus,
  startRoutingInstance,
  type RoutingInstance,
} from './routing-instance.util.js';

/**
 * Ownership spreads over the instances (ADR 0020): a second instance gets its share of the
 * workspaces the first took alone, each workspace still routes after moving, and when an instance
 * stops the survivor takes everything back.
 */
describe('routing instances share the workspaces', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let io: Awaited<ReturnType<typeof routingTestBus>>;
  const running: RoutingInstance[] = [];
  const workspaces = Array.from({ length: 6 }, () => randomUUID());

  beforeAll(async () => {
    database = await createTestDatabase('routing_balance');
    const prefix = `${testRunId()}-routing-bal-${randomUUID().slice(0, 6)}.`;
    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: '3',
    };
    io = await routingTestBus(prefix);
  });

  afterAll(async () => {
    for (const instance of running) await instance.close();
    await io?.close();
    await database?.drop();
  });

  const owned = (instance: RoutingInstance) => instance.owner.ownedWorkspaces().length;

  it('balances six workspaces over two instances, and one takes all when the other stops', async () => {
    const first = await startRoutingInstance(env);
    running.push(first);
    for (const workspace of workspaces) {
      await first.api.upsertAgent(workspace, { agentId: 'ann', displayName: 'Ann', skills: [] });
      await first.api.setPresence(workspace, 'ann', 'online', 'agent');
    }
    await waitFor(() => owned(first) === 6, { what: 'the only instance to own all six' });

    const second = await startRoutingInstance(env);
    running.push(second);
    await waitFor(() => owned(first) === 3 && owned(second) === 3, {
      what: 'three workspaces each',
      timeoutMs: 30_000,
    });
    expect(new Set([...first.owner.ownedWorkspaces(), ...second.owner.ownedWorkspaces()])).toEqual(
      new Set(workspaces),
    );

    // Every workspace routes wherever it went, with its state carried over.
    const opened = workspaces.map((workspace) => openedEvent(workspace));
    for (const event of opened) await io.emit(event);
    await waitFor(
      () =>
        opened.every((event) =>
          io.outputs.some(
            (e) =>
              e.type === ConversationAssignedV1.type &&
              (e as ConversationAssignedV1).payload.conversationId === event.payload.conversationId &&
              (e as ConversationAssignedV1).payload.agentId === 'ann',
          ),
        ),
      { what: 'a conversation assigned in every workspace', timeoutMs: 30_000 },
    );

    await first.close();
    running.splice(running.indexOf(first), 1);
    await waitFor(() => owned(second) === 6, { what: 'the survivor to own all six', timeoutMs: 30_000 });
  }, 90_000);
});
