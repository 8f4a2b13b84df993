import { randomUUID } from 'node:crypto';
import { createMigratedTestDatabase, genericPlanIn, type MigratedTestDatabase } from '@switchboard/testing';
import type { DataSource } from 'typeorm';
import { RoutingEngine } from '../src/core/routing-engine.js';
import { RoutingJournalRepository } from '../src/inputs/routing-journal.repository.js';
import { routingMigrations } from '../src/migrations/index.js';
import { eventOfEffect } from '../src/workspaces/routing-events.util.js';
import { RoutingStateRepository } from '../src/workspaces/routing-state.repository.js';

/**
 * The plans of routing's statements on the hot path (every message: the journal append, the
 * owner's read of it, the batch commit, the outbox's delete), made as PostgreSQL makes them on a new
 * installation: tables without statistics, and a generic plan (`force_generic_plan`: a prepared
 * statement keeps the generic plan it made before the tables were analysed). History's status
 * change read a workspace's conversations through the wrong index under exactly these conditions
 * (2.6 ms per message in bench:e2e, history.int-spec); each statement here must reach its rows by
 * the key that names them, never by a scan of the workspace or the table.
 */
describe('routing hot statements: plans on fresh tables', () => {
  let database: MigratedTestDatabase;
  /** Every statement the repositories sent, with its parameters, in order. */
  const sent: { sql: string; params: unknown[] }[] = [];

  beforeAll(async () => {
    database = await createMigratedTestDatabase('routing_plans', {
      schema: 'routing',
      migrations: routingMigrations,
    });
  });

  afterAll(async () => {
    await database?.close();
  });

  /** The data source the repositories get: the real one, each statement noted on its way. */
  const recording = (): DataSource =>
    ({
      query: (sql: string, params: unknown[] = []) => {
        sent.push({ sql, params });
        return database.db.query(sql, params);
      },
    }) as unknown as DataSource;

  /** The generic plan PostgreSQL makes for `sql` now, as EXPLAIN prints it. */
  async function genericPlan(sql: string, parameters: number): Promise<string> {
    const runner = database.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      return await genericPlanIn(runner, sql, Array<string>(parameters).fill('NULL'));
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  /** The plan of the one statement `run` sends. */
  async function planOf(run: () => Promise<unknown>): Promise<string> {
    sent.length = 0;
    await run();
    expect(sent).toHaveLength(1);
    const { sql, params } = sent[0]!;
    return genericPlan(sql, params.length);
  }

  it('has no statistics to go on (the case the plans must survive)', async () => {
    const analysed = await database.db.query<{ relname: string }[]>(
      `SELECT relname FROM pg_stat_user_tables
        WHERE schemaname = 'routing' AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)`,
    );
    expect(analysed).toEqual([]);
  });

  it("reads a workspace's journal after a position by its primary key", async () => {
    const journal = new RoutingJournalRepository(recording());
    const plan = await planOf(() => journal.after(randomUUID(), 0, 500));
    expect(plan).toMatch(/Index Scan using inputs_pkey on inputs/);
    expect(plan).toMatch(/Index Cond: \(\(workspace_id = \$1\) AND \(seq > \$2\)\)/);
    expect(plan).not.toMatch(/Seq Scan|Sort/);
  });

  it('appends to the journal, deduplicated by the event id index, without reading the table', async () => {
    const journal = new RoutingJournalRepository(recording());
    const workspaceId = randomUUID();
    const plan = await planOf(() =>
      journal.append([
        {
          workspaceId,
          eventId: randomUUID(),
          input: {
            type: 'conversation.opened',
            arrival: {
              conversationId: randomUUID(),
              customerId: randomUUID(),
              channel: 'web',
              channelAccountId: null,
              customerAttributes: {},
              hints: {},
            },
            fromCustomer: true,
          },
          occurredAt: new Date().toISOString(),
        },
      ]),
    );
    expect(plan).toMatch(/Insert on inputs[^]*Conflict Arbiter Indexes: inputs_event_unique/);
    expect(plan).toMatch(/Insert on workspaces/);
    expect(plan).not.toMatch(/Scan on (inputs|workspaces)/);
  });

  it("commits an owner's batch through each table's primary key", async () => {
    const state = new RoutingStateRepository(recording());
    const workspaceId = randomUUID();
    await database.db.query('INSERT INTO routing.workspaces (workspace_id, epoch) VALUES ($1, 1)', [
      workspaceId,
    ]);
    const engine = new RoutingEngine({ clock: () => 1_000_000 });
    engine.upsertAgent({
      agentId: 'ada',
      displayName: 'Ada',
      skills: [],
      channelCapacity: {},
      defaultChannelCapacity: 2,
      maxConcurrent: 2,
      queueIds: [],
    });
    engine.setPresence('ada', 'online', 'agent', 1_000_000);
    engine.open({
      conversationId: randomUUID(),
      customerId: randomUUID(),
      channel: 'web',
      channelAccountId: null,
      customerAttributes: {},
      hints: {},
    });
    engine.setBotChannel('web', true);
    // Every part of the statement at once: conversations, agents, affinity, bot channels, the
    // outbox's new rows and the deletion of the published ones.
    const plan = await planOf(() =>
      state.commitBatch({
        workspaceId,
        epoch: 1,
        appliedSeq: 1,
        engine,
        changes: engine.takeChanges(),
        events: engine.takeEffects().map((effect) => eventOfEffect(workspaceId, effect)),
        published: ['1', '2'],
      }),
    );
    for (const part of ['conversations', 'agent_states', 'customer_agents', 'bot_channels', 'outbox'])
      expect(plan).toMatch(new RegExp(`on ${part}`));
    expect(plan).toMatch(
      /Index Scan using workspaces_pkey on workspaces .*\n\s+Index Cond: \(workspace_id = \$1\)/,
    );
    expect(plan).toMatch(/Conflict Arbiter Indexes: conversations_pkey/);
    expect(plan).toMatch(/Conflict Arbiter Indexes: agent_states_pkey/);
    expect(plan).toMatch(/Conflict Arbiter Indexes: customer_agents_pkey/);
    expect(plan).toMatch(/Bitmap Index Scan on outbox_pkey .*\n\s+Index Cond: \(id = ANY/);
    expect(plan).toMatch(/Bitmap Index Scan on bot_channels_pkey .*\n\s+Index Cond: \(workspace_id = \$1\)/);
    expect(plan).not.toMatch(/Seq Scan on (workspaces|conversations|agent_states|customer_agents|outbox)/);
  });

  it('deletes published outbox rows by their ids', async () => {
    const state = new RoutingStateRepository(recording());
    const plan = await planOf(() => state.deleteOutbox(['1', '2']));
    expect(plan).toMatch(/Index Scan on outbox_pkey .*\n\s+Index Cond: \(id = ANY/);
    expect(plan).not.toMatch(/Seq Scan/);
  });
});
