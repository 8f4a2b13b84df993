import { Injectable } from '@nestjs/common';
import type { Channel, EventEnvelope } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { RoutingEngine } from '../core/routing-engine.js';
import type {
  AgentConfig,
  AgentRuntimeSnapshot,
  ConversationSnapshot,
  CustomerAffinity,
  QueueConfig,
  RoutingChanges,
} from '../core/routing-types.js';
import { agentConfigFromRow, queueConfigFromRow, type AgentRow, type QueueRow } from './routing-rows.js';

/** Resolved conversations kept in memory for this long, so a reopen can route them again. */
const RESOLVED_KEPT_MS = 24 * 3_600_000;
/** The longest preferred-agent window honoured after a restart. */
const AFFINITY_KEPT_MS = 30 * 24 * 3_600_000;

export interface WorkspaceState {
  readonly queues: QueueConfig[];
  readonly agents: { config: AgentConfig; runtime: AgentRuntimeSnapshot | null }[];
  readonly conversations: ConversationSnapshot[];
  readonly affinity: CustomerAffinity[];
  readonly botChannels: Channel[];
}

export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly event: EventEnvelope;
}

/** What the owner of a workspace reads on taking it over, and writes after each batch. */
@Injectable()
export class RoutingStateRepository {
  constructor(@InjectServiceDataSource('routing') private readonly db: DataSource) {}

  async load(workspaceId: string, now: number): Promise<WorkspaceState> {
    const [queues, agents, conversations, affinity, botChannels] = await Promise.all([
      this.db.query<QueueRow[]>('SELECT * FROM routing.queues WHERE workspace_id = $1', [workspaceId]),
      this.db.query<(AgentRow & { presence: string | null } & Record<string, unknown>)[]>(
        `SELECT a.*, s.presence, s.presence_changed_at, s.idle_since, s.last_assigned_at, s.missed_offers, s.grace_until
         FROM routing.agents a LEFT JOIN routing.agent_states s USING (workspace_id, agent_id)
         WHERE a.workspace_id = $1`,
        [workspaceId],
      ),
      this.db.query<{ snapshot: ConversationSnapshot }[]>(
        `SELECT snapshot FROM routing.conversations
         WHERE workspace_id = $1 AND (state <> 'resolved' OR resolved_at > $2)`,
        [workspaceId, new Date(now - RESOLVED_KEPT_MS)],
      ),
      this.db.query<{ customer_id: string; agent_id: string; served_at: string }[]>(
        'SELECT customer_id, agent_id, served_at FROM routing.customer_agents WHERE workspace_id = $1 AND served_at > $2',
        [workspaceId, now - AFFINITY_KEPT_MS],
      ),
      this.db.query<{ channel: Channel }[]>(
        'SELECT channel FROM routing.bot_channels WHERE workspace_id = $1',
        [workspaceId],
      ),
    ]);
    return {
      queues: queues.map(queueConfigFromRow),
      agents: agents.map((row) => ({
        config: agentConfigFromRow(row),
        runtime:
          row.presence === null
            ? null
            : {
                agentId: row.agent_id,
                presence: row.presence as AgentRuntimeSnapshot['presence'],
                presenceChangedAt: Number(row.presence_changed_at),
                idleSince: nullableNumber(row.idle_since),
                lastAssignedAt: nullableNumber(row.last_assigned_at),
                missedOffers: Number(row.missed_offers),
                graceUntil: nullableNumber(row.grace_until),
              },
      })),
      conversations: conversations.map((r) => r.snapshot),
      affinity: affinity.map((r) => ({
        customerId: r.customer_id,
        agentId: r.agent_id,
        servedAt: Number(r.served_at),
      })),
      botChannels: botChannels.map((r) => r.channel),
    };
  }

  /**
   * Writes a batch's changes and its events (to the outbox) in the caller's transaction; resolves
   * with the outbox rows' ids, for the caller to delete once it has published those events.
   */
  async save(
    manager: EntityManager,
    workspaceId: string,
    engine: RoutingEngine,
    changes: RoutingChanges,
    events: readonly { topic: string; event: EventEnvelope }[],
  ): Promise<string[]> {
    const conversations = changes.conversations;
    if (conversations.length > 0) {
      await manager.query(
        `INSERT INTO routing.conversations
           (workspace_id, conversation_id, state, queue_id, agent_id, arrived_at, assigned_at, decided_at, resolved_at, snapshot)
         SELECT $1, c, s, q, a, to_timestamp(ar / 1000.0), to_timestamp(asg / 1000.0), to_timestamp(d / 1000.0),
                to_timestamp(r / 1000.0), snap
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[],
                     $9::float8[], $10::jsonb[]) AS t(c, s, q, a, ar, asg, d, r, snap)
         ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET
           state = excluded.state, queue_id = excluded.queue_id, agent_id = excluded.agent_id,
           arrived_at = excluded.arrived_at, assigned_at = excluded.assigned_at, decided_at = excluded.decided_at,
           resolved_at = excluded.resolved_at, snapshot = excluded.snapshot`,
        [
          workspaceId,
          conversations.map((c) => c.conversationId),
          conversations.map((c) => c.state),
          conversations.map((c) => c.queueId),
          conversations.map((c) => c.agentId),
          conversations.map((c) => c.arrivedAt),
          conversations.map((c) => c.assignedAt),
          conversations.map((c) => c.decidedAt),
          conversations.map((c) => c.resolvedAt),
          conversations.map((c) => JSON.stringify(c)),
        ],
      );
    }
    const agents = changes.agents.map((a) => ({ runtime: a, live: engine.agent(a.agentId)! }));
    if (agents.length > 0) {
      await manager.query(
        `INSERT INTO routing.agent_states
           (workspace_id, agent_id, presence, presence_changed_at, idle_since, last_assigned_at, missed_offers,
            grace_until, load, load_by_channel, capacity)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::int[],
                                  $8::bigint[], $9::int[], $10::jsonb[], $11::int[])
         ON CONFLICT (workspace_id, agent_id) DO UPDATE SET
           presence = excluded.presence, presence_changed_at = excluded.presence_changed_at,
           idle_since = excluded.idle_since, last_assigned_at = excluded.last_assigned_at,
           missed_offers = excluded.missed_offers, grace_until = excluded.grace_until, load = excluded.load,
           load_by_channel = excluded.load_by_channel, capacity = excluded.capacity`,
        [
          workspaceId,
          agents.map((a) => a.runtime.agentId),
          agents.map((a) => a.runtime.presence),
          agents.map((a) => Math.round(a.runtime.presenceChangedAt)),
          agents.map((a) => a.runtime.idleSince),
          agents.map((a) => a.runtime.lastAssignedAt),
          agents.map((a) => a.runtime.missedOffers),
          agents.map((a) => a.runtime.graceUntil),
          agents.map((a) => a.live.load),
          agents.map((a) => JSON.stringify(a.live.loadByChannel satisfies Partial<Record<Channel, number>>)),
          agents.map((a) => a.live.capacity),
        ],
      );
    }
    const affinity = latestPerCustomer(changes.customers);
    if (affinity.length > 0) {
      await manager.query(
        `INSERT INTO routing.customer_agents (workspace_id, customer_id, agent_id, served_at)
         SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::bigint[])
         ON CONFLICT (workspace_id, customer_id) DO UPDATE SET agent_id = excluded.agent_id, served_at = excluded.served_at`,
        [
          workspaceId,
          affinity.map((a) => a.customerId),
          affinity.map((a) => a.agentId),
          affinity.map((a) => a.servedAt),
        ],
      );
    }
    if (changes.botChannels !== null) {
      await manager.query('DELETE FROM routing.bot_channels WHERE workspace_id = $1', [workspaceId]);
      await manager.query(
        'INSERT INTO routing.bot_channels (workspace_id, channel) SELECT $1, unnest($2::text[])',
        [workspaceId, changes.botChannels],
      );
    }
    if (events.length === 0) return [];
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO routing.outbox (workspace_id, topic, event) SELECT $1, * FROM unnest($2::text[], $3::jsonb[])
       RETURNING id`,
      [workspaceId, events.map((e) => e.topic), events.map((e) => JSON.stringify(e.event))],
    );
    return inserted.map((r) => String(r.id));
  }

  async outbox(workspaceId: string, limit: number): Promise<OutboxRow[]> {
    return this.db.query<OutboxRow[]>(
      'SELECT id, topic, event FROM routing.outbox WHERE workspace_id = $1 ORDER BY id LIMIT $2',
      [workspaceId, limit],
    );
  }

  async deleteOutbox(ids: readonly string[]): Promise<void> {
    await this.db.query('DELETE FROM routing.outbox WHERE id = ANY($1::bigint[])', [ids]);
  }
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function latestPerCustomer(entries: readonly CustomerAffinity[]): CustomerAffinity[] {
  const latest = new Map<string, CustomerAffinity>();
  for (const e of entries) latest.set(e.customerId, e);
  return [...latest.values()];
}
