import { Injectable } from '@nestjs/common';
import type { Channel, EventEnvelope } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
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
   * Commits a batch in one statement (so one round trip and one transaction): the journal position
   * `appliedSeq`, fenced by the owner's `epoch`; the changed rows; the events, to the outbox; and
   * the deletion of the outbox rows `published` (events the log already has). Either all of it is
   * written or, when another owner took the epoch, none: resolves with null then, else with the
   * new outbox rows' ids, for the caller to delete once it has published those events.
   */
  async commitBatch(batch: {
    readonly workspaceId: string;
    readonly epoch: number;
    readonly appliedSeq: number;
    readonly engine: RoutingEngine;
    readonly changes: RoutingChanges;
    readonly events: readonly { topic: string; event: EventEnvelope }[];
    readonly published: readonly string[];
  }): Promise<string[] | null> {
    const { workspaceId, engine, changes, events } = batch;
    const params: unknown[] = [workspaceId, batch.epoch, batch.appliedSeq];
    const $ = (value: unknown) => `$${params.push(value)}`;
    // Each write below runs only if the fence moved the journal position: a former owner's whole
    // batch is refused, as a failed UPDATE … WHERE epoch = mine in a transaction refused it before.
    const parts = [
      `fenced AS (
         UPDATE routing.workspaces SET applied_seq = $3 WHERE workspace_id = $1 AND epoch = $2 RETURNING 1
       )`,
    ];
    const conversations = changes.conversations;
    if (conversations.length > 0) {
      parts.push(`conversations AS (
         INSERT INTO routing.conversations
           (workspace_id, conversation_id, state, queue_id, agent_id, arrived_at, assigned_at, decided_at, resolved_at, snapshot)
         SELECT $1, c, s, q, a, to_timestamp(ar / 1000.0), to_timestamp(asg / 1000.0), to_timestamp(d / 1000.0),
                to_timestamp(r / 1000.0), snap
         FROM unnest(${$(conversations.map((c) => c.conversationId))}::uuid[],
                     ${$(conversations.map((c) => c.state))}::text[],
                     ${$(conversations.map((c) => c.queueId))}::text[],
                     ${$(conversations.map((c) => c.agentId))}::text[],
                     ${$(conversations.map((c) => c.arrivedAt))}::float8[],
                     ${$(conversations.map((c) => c.assignedAt))}::float8[],
                     ${$(conversations.map((c) => c.decidedAt))}::float8[],
                     ${$(conversations.map((c) => c.resolvedAt))}::float8[],
                     ${$(conversations.map((c) => JSON.stringify(c)))}::jsonb[]) AS t(c, s, q, a, ar, asg, d, r, snap)
         WHERE EXISTS (SELECT FROM fenced)
         ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET
           state = excluded.state, queue_id = excluded.queue_id, agent_id = excluded.agent_id,
           arrived_at = excluded.arrived_at, assigned_at = excluded.assigned_at, decided_at = excluded.decided_at,
           resolved_at = excluded.resolved_at, snapshot = excluded.snapshot
       )`);
    }
    const agents = changes.agents.map((a) => ({ runtime: a, live: engine.agent(a.agentId)! }));
    if (agents.length > 0) {
      parts.push(`agents AS (
         INSERT INTO routing.agent_states
           (workspace_id, agent_id, presence, presence_changed_at, idle_since, last_assigned_at, missed_offers,
            grace_until, load, load_by_channel, capacity)
         SELECT $1, * FROM unnest(${$(agents.map((a) => a.runtime.agentId))}::text[],
                                  ${$(agents.map((a) => a.runtime.presence))}::text[],
                                  ${$(agents.map((a) => Math.round(a.runtime.presenceChangedAt)))}::bigint[],
                                  ${$(agents.map((a) => a.runtime.idleSince))}::bigint[],
                                  ${$(agents.map((a) => a.runtime.lastAssignedAt))}::bigint[],
                                  ${$(agents.map((a) => a.runtime.missedOffers))}::int[],
                                  ${$(agents.map((a) => a.runtime.graceUntil))}::bigint[],
                                  ${$(agents.map((a) => a.live.load))}::int[],
                                  ${$(agents.map((a) => JSON.stringify(a.live.loadByChannel satisfies Partial<Record<Channel, number>>)))}::jsonb[],
                                  ${$(agents.map((a) => a.live.capacity))}::int[])
         WHERE EXISTS (SELECT FROM fenced)
         ON CONFLICT (workspace_id, agent_id) DO UPDATE SET
           presence = excluded.presence, presence_changed_at = excluded.presence_changed_at,
           idle_since = excluded.idle_since, last_assigned_at = excluded.last_assigned_at,
           missed_offers = excluded.missed_offers, grace_until = excluded.grace_until, load = excluded.load,
           load_by_channel = excluded.load_by_channel, capacity = excluded.capacity
       )`);
    }
    const affinity = latestPerCustomer(changes.customers);
    if (affinity.length > 0) {
      parts.push(`affinity AS (
         INSERT INTO routing.customer_agents (workspace_id, customer_id, agent_id, served_at)
         SELECT $1, * FROM unnest(${$(affinity.map((a) => a.customerId))}::uuid[],
                                  ${$(affinity.map((a) => a.agentId))}::text[],
                                  ${$(affinity.map((a) => a.servedAt))}::bigint[])
         WHERE EXISTS (SELECT FROM fenced)
         ON CONFLICT (workspace_id, customer_id) DO UPDATE SET agent_id = excluded.agent_id, served_at = excluded.served_at
       )`);
    }
    if (changes.botChannels !== null) {
      // The new set replaces the old: channels it lacks go, channels it adds come. The two touch
      // different rows, so they can be one statement's.
      const channels = $(changes.botChannels);
      parts.push(
        `bot_channels_gone AS (
           DELETE FROM routing.bot_channels
           WHERE workspace_id = $1 AND channel <> ALL(${channels}::text[]) AND EXISTS (SELECT FROM fenced)
         )`,
        `bot_channels_added AS (
           INSERT INTO routing.bot_channels (workspace_id, channel) SELECT $1, unnest(${channels}::text[])
           WHERE EXISTS (SELECT FROM fenced)
           ON CONFLICT DO NOTHING
         )`,
      );
    }
    if (batch.published.length > 0) {
      parts.push(`published AS (
         DELETE FROM routing.outbox WHERE id = ANY(${$(batch.published)}::bigint[]) AND EXISTS (SELECT FROM fenced)
       )`);
    }
    if (events.length > 0) {
      parts.push(`outboxed AS (
         INSERT INTO routing.outbox (workspace_id, topic, event)
         SELECT $1, * FROM unnest(${$(events.map((e) => e.topic))}::text[], ${$(events.map((e) => JSON.stringify(e.event)))}::jsonb[])
         WHERE EXISTS (SELECT FROM fenced)
         RETURNING id
       )`);
    }
    const rows: { fenced: boolean; outbox: string[] | null }[] = await this.db.query(
      `WITH ${parts.join(', ')}
       SELECT EXISTS (SELECT FROM fenced) AS fenced, ${events.length > 0 ? '(SELECT array_agg(id ORDER BY id) FROM outboxed)' : 'NULL'} AS outbox`,
      params,
    );
    if (!rows[0]?.fenced) return null;
    return (rows[0].outbox ?? []).map(String);
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
