import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createMigratedTestDatabase, waitFor, type MigratedTestDatabase } from '@switchboard/testing';
import { RoutingEngine } from '../src/core/routing-engine.js';
import {
  ROUTING_INPUTS_CHANNEL,
  RoutingJournalRepository,
  type JournalEntry,
} from '../src/inputs/routing-journal.repository.js';
import { routingMigrations } from '../src/migrations/index.js';
import { eventOfEffect } from '../src/workspaces/routing-events.util.js';
import { RoutingStateRepository } from '../src/workspaces/routing-state.repository.js';

/**
 * The two writes of routing's hot path, each one statement on the real PostgreSQL (ADR 0129): the
 * consumer's journal append, and the owner's batch commit fenced by its epoch.
 */
describe('routing journal append and batch commit', () => {
  let database: MigratedTestDatabase;
  let journal: RoutingJournalRepository;
  let state: RoutingStateRepository;

  beforeAll(async () => {
    database = await createMigratedTestDatabase('routing_commit', {
      schema: 'routing',
      migrations: routingMigrations,
    });
    journal = new RoutingJournalRepository(database.db);
    state = new RoutingStateRepository(database.db);
  });

  afterAll(async () => {
    await database?.close();
  });

  const opened = (workspaceId: string): JournalEntry => ({
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
  });

  it('journals a batch of two workspaces once, in order, and wakes each owner', async () => {
    const first = randomUUID();
    const second = randomUUID();
    const listener = new pg.Client({ connectionString: (database.db.options as { url: string }).url });
    await listener.connect();
    const woken: string[] = [];
    listener.on('notification', (message) => woken.push(message.payload ?? ''));
    await listener.query(`LISTEN ${ROUTING_INPUTS_CHANNEL}`);
    try {
      const entries = [opened(first), opened(second), opened(first)];
      expect(await journal.append(entries)).toBe(3);
      await waitFor(() => woken.length >= 2, { timeoutMs: 5_000, what: 'both owners woken' });
      expect(woken.sort()).toEqual([first, second].sort());

      // Kafka redelivers the batch: nothing more is journaled, and nobody is woken for nothing.
      expect(await journal.append(entries)).toBe(0);
      const stored = await journal.after(first, 0, 10);
      expect(stored.map((s) => s.input)).toEqual([entries[0]!.input, entries[2]!.input]);
      expect(stored[0]!.seq).toBeLessThan(stored[1]!.seq);
      const columns = await database.db.query<{ type: string; occurred_at: Date }[]>(
        'SELECT type, occurred_at FROM routing.inputs WHERE workspace_id = $1 AND event_id = $2',
        [first, entries[0]!.eventId],
      );
      expect(columns).toEqual([
        { type: entries[0]!.input.type, occurred_at: new Date(entries[0]!.occurredAt) },
      ]);
      const workspaces = await database.db.query<{ workspace_id: string }[]>(
        'SELECT workspace_id FROM routing.workspaces WHERE workspace_id = ANY($1::uuid[])',
        [[first, second]],
      );
      expect(workspaces).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 200));
      expect(woken).toHaveLength(2);
    } finally {
      await listener.end();
    }
  });

  it('commits a batch whole while the epoch is the owner’s, and nothing once another owner took it', async () => {
    const workspaceId = randomUUID();
    await database.db.query('INSERT INTO routing.workspaces (workspace_id, epoch) VALUES ($1, 3)', [
      workspaceId,
    ]);
    let now = 1_000_000;
    const engine = new RoutingEngine({ clock: () => now });
    engine.upsertAgent({
      agentId: 'ada',
      displayName: 'Ada',
      skills: [],
      channelCapacity: {},
      defaultChannelCapacity: 2,
      maxConcurrent: 2,
      queueIds: [],
    });
    engine.setPresence('ada', 'online', 'agent', now);
    const commit = (epoch: number, appliedSeq: number, published: readonly string[]) => {
      const events = engine.takeEffects().map((effect) => eventOfEffect(workspaceId, effect));
      return state.commitBatch({
        workspaceId,
        epoch,
        appliedSeq,
        engine,
        changes: engine.takeChanges(),
        events,
        published,
      });
    };
    const read = async () => {
      const [row] = await database.db.query<{ applied_seq: string; outbox: string[] | null }[]>(
        `SELECT applied_seq, (SELECT array_agg(id ORDER BY id) FROM routing.outbox WHERE workspace_id = $1) AS outbox
         FROM routing.workspaces WHERE workspace_id = $1`,
        [workspaceId],
      );
      const conversations = await database.db.query<{ conversation_id: string; state: string }[]>(
        'SELECT conversation_id, state FROM routing.conversations WHERE workspace_id = $1',
        [workspaceId],
      );
      const agents = await database.db.query<{ load: number }[]>(
        'SELECT load FROM routing.agent_states WHERE workspace_id = $1',
        [workspaceId],
      );
      return {
        appliedSeq: Number(row!.applied_seq),
        outbox: (row!.outbox ?? []).map(String),
        conversations: new Map(conversations.map((c) => [c.conversation_id, c.state])),
        loads: agents.map((a) => a.load),
      };
    };

    const a = randomUUID();
    engine.open({
      conversationId: a,
      customerId: randomUUID(),
      channel: 'web',
      channelAccountId: null,
      customerAttributes: {},
      hints: {},
    });
    const firstIds = await commit(3, 10, []);
    expect(firstIds).toHaveLength(1);
    let stored = await read();
    expect(stored).toMatchObject({ appliedSeq: 10, outbox: firstIds, loads: [1] });
    expect(stored.conversations.get(a)).toBe('assigned');
    // The columns beside the snapshot are read from it, the agent's state from the engine.
    const snapshot = engine.conversation(a)!;
    const conversationRows = await database.db.query<unknown[]>(
      `SELECT queue_id, agent_id, arrived_at, assigned_at, decided_at, resolved_at, snapshot
       FROM routing.conversations WHERE workspace_id = $1 AND conversation_id = $2`,
      [workspaceId, a],
    );
    expect(conversationRows).toEqual([
      {
        queue_id: null,
        agent_id: 'ada',
        arrived_at: new Date(snapshot.arrivedAt),
        assigned_at: new Date(snapshot.assignedAt!),
        decided_at: new Date(snapshot.decidedAt!),
        resolved_at: null,
        snapshot: JSON.parse(JSON.stringify(snapshot)) as unknown,
      },
    ]);
    const ada = engine.agent('ada')!;
    const agentRows = await database.db.query<unknown[]>(
      `SELECT presence, presence_changed_at, idle_since, last_assigned_at, missed_offers, grace_until,
              load_by_channel, capacity
       FROM routing.agent_states WHERE workspace_id = $1`,
      [workspaceId],
    );
    expect(agentRows).toEqual([
      {
        presence: 'online',
        presence_changed_at: String(ada.presenceChangedAt),
        idle_since: ada.idleSince === null ? null : String(ada.idleSince),
        last_assigned_at: String(ada.lastAssignedAt),
        missed_offers: 0,
        grace_until: null,
        load_by_channel: { web: 1 },
        capacity: 2,
      },
    ]);
    const [row] = await database.db.query<{ event: { type: string; payload: { conversationId: string } } }[]>(
      'SELECT event FROM routing.outbox WHERE id = $1',
      [firstIds![0]],
    );
    expect(row!.event).toMatchObject({ type: 'conversation.assigned', payload: { conversationId: a } });

    // The next batch deletes the rows the log has (published) beside writing its own.
    now += 1_000;
    const b = randomUUID();
    engine.open({
      conversationId: b,
      customerId: randomUUID(),
      channel: 'web',
      channelAccountId: null,
      customerAttributes: {},
      hints: {},
    });
    const secondIds = await commit(3, 11, firstIds!);
    stored = await read();
    expect(stored).toMatchObject({ appliedSeq: 11, outbox: secondIds, loads: [2] });
    expect(stored.conversations.get(b)).toBe('assigned');

    // Another owner took the workspace (epoch 4): a late batch of the former one writes nothing.
    await database.db.query('UPDATE routing.workspaces SET epoch = 4 WHERE workspace_id = $1', [workspaceId]);
    now += 1_000;
    engine.resolve(a);
    engine.setBotChannel('web', true);
    expect(await commit(3, 12, secondIds!)).toBeNull();
    stored = await read();
    expect(stored).toMatchObject({ appliedSeq: 11, outbox: secondIds, loads: [2] });
    expect(stored.conversations.get(a)).toBe('assigned');
    const bots = await database.db.query<unknown[]>(
      'SELECT 1 FROM routing.bot_channels WHERE workspace_id = $1',
      [workspaceId],
    );
    expect(bots).toHaveLength(0);
  });

  it('replaces the bot channels in the same statement as the rest', async () => {
    const workspaceId = randomUUID();
    await database.db.query('INSERT INTO routing.workspaces (workspace_id, epoch) VALUES ($1, 1)', [
      workspaceId,
    ]);
    const engine = new RoutingEngine({ clock: () => 1_000 });
    const channels = async () =>
      (
        await database.db.query<{ channel: string }[]>(
          'SELECT channel FROM routing.bot_channels WHERE workspace_id = $1 ORDER BY channel',
          [workspaceId],
        )
      ).map((r) => r.channel);
    const commit = (appliedSeq: number) =>
      state.commitBatch({
        workspaceId,
        epoch: 1,
        appliedSeq,
        engine,
        changes: engine.takeChanges(),
        events: [],
        published: [],
      });
    engine.setBotChannel('web', true);
    engine.setBotChannel('sms', true);
    expect(await commit(1)).toEqual([]);
    expect(await channels()).toEqual(['sms', 'web']);
    engine.setBotChannel('sms', false);
    engine.setBotChannel('whatsapp', true);
    expect(await commit(2)).toEqual([]);
    expect(await channels()).toEqual(['web', 'whatsapp']);
  });

  it('keys the journal by workspace and sequence: three indexes per entry, each read by one', async () => {
    const indexes = await database.db.query<{ indexname: string; indexdef: string }[]>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'routing' AND tablename = 'inputs' ORDER BY 1",
    );
    expect(indexes.map((i) => [i.indexname, i.indexdef.replace(/^.* USING btree /, '')])).toEqual([
      ['inputs_event_unique', '(workspace_id, event_id)'],
      ['inputs_pkey', '(workspace_id, seq)'],
      ['inputs_workspace_created', '(workspace_id, created_at)'],
    ]);
  });

  it('prunes only applied entries of its workspace past the retention', async () => {
    const workspaceId = randomUUID();
    const neighbour = randomUUID();
    await journal.append([opened(workspaceId), opened(workspaceId), opened(workspaceId), opened(neighbour)]);
    const seqs = (await journal.after(workspaceId, 0, 10)).map((s) => s.seq);
    // The two oldest and the neighbour's journaled a day ago; the third just now.
    await database.db.query(
      `UPDATE routing.inputs SET created_at = now() - interval '1 day'
       WHERE workspace_id = $1 AND seq = ANY($2::bigint[]) OR workspace_id = $3`,
      [workspaceId, seqs.slice(0, 2), neighbour],
    );
    const hourAgo = new Date(Date.now() - 3_600_000);
    // Applied up to the first only: the second is old but not applied yet.
    expect(await journal.prune(workspaceId, seqs[0]!, hourAgo, 10)).toBe(1);
    expect((await journal.after(workspaceId, 0, 10)).map((s) => s.seq)).toEqual(seqs.slice(1));
    // Applied everything: the young third stays, and so does the neighbour's journal.
    expect(await journal.prune(workspaceId, seqs[2]!, hourAgo, 10)).toBe(1);
    expect((await journal.after(workspaceId, 0, 10)).map((s) => s.seq)).toEqual(seqs.slice(2));
    expect(await journal.after(neighbour, 0, 10)).toHaveLength(1);
  });
});
