import { Injectable } from '@nestjs/common';
import type { Channel, EventEnvelope } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { AFFINITY_KEPT_MS, RESOLVED_KEPT_MS, type RoutingEngine } from '../core/routing-engine.js';
import type {
  AgentConfig,
  AgentRuntimeSnapshot,
  ConversationSnapshot,
  CustomerAffinity,
  QueueConfig,
  RoutingChanges,
} from '../core/routing-types.js';
import { agentConfigFromRow, queueConfigFromRow, type AgentRow, type QueueRow } from './routing-rows.js';

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

/** An agent's row of routing.agent_states as the commit sends it, in the table's column order. */
interface AgentStateJson extends AgentRuntimeSnapshot {
  readonly load: number;
  readonly loadByChannel: Partial<Record<Channel, number>>;
  readonly capacity: number;
}

/**
 * The column definition list that reads these JSON keys as these types (`json_to_recordset`,
 * `jsonb_to_record`), in the order given. Typed against the object sent, so a renamed field is a
 * compile error rather than a column silently read as null.
 */
function jsonColumns<T>(columns: { readonly [K in keyof T]?: string }): string {
  return Object.entries(columns)
    .map(([key, type]) => `"${key}" ${String(type)}`)
    .join(', ');
}

/** The snapshot's fields that routing.conversations has columns for. */
const CONVERSATION_COLUMNS = jsonColumns<ConversationSnapshot>({
  conversationId: 'uuid',
  state: 'text',
  queueId: 'text',
  agentId: 'text',
  arrivedAt: 'float8',
  assignedAt: 'float8',
  decidedAt: 'float8',
  resolvedAt: 'float8',
});

const AGENT_STATE_COLUMNS = jsonColumns<AgentStateJson>({
  agentId: 'text',
  presence: 'text',
  presenceChangedAt: 'bigint',
  idleSince: 'bigint',
  lastAssignedAt: 'bigint',
  missedOffers: 'int',
  graceUntil: 'bigint',
  load: 'int',
  loadByChannel: 'jsonb',
  capacity: 'int',
} satisfies Record<keyof AgentStateJson, string>);

const AFFINITY_COLUMNS = jsonColumns<CustomerAffinity>({
  customerId: 'uuid',
  agentId: 'text',
  servedAt: 'bigint',
} satisfies Record<keyof CustomerAffinity, string>);

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
    // Each set of rows travels as one JSON parameter, unpacked in PostgreSQL: a text[] or jsonb[]
    // parameter is an array literal the driver escapes element by element, and the snapshots and
    // events are JSON full of quotes to escape.
    const conversations = changes.conversations;
    if (conversations.length > 0) {
      parts.push(`conversations AS (
         INSERT INTO routing.conversations
           (workspace_id, conversation_id, state, queue_id, agent_id, arrived_at, assigned_at, decided_at, resolved_at, snapshot)
         SELECT $1, r."conversationId", r.state, r."queueId", r."agentId", to_timestamp(r."arrivedAt" / 1000.0),
                to_timestamp(r."assignedAt" / 1000.0), to_timestamp(r."decidedAt" / 1000.0),
                to_timestamp(r."resolvedAt" / 1000.0), t.c
         FROM jsonb_array_elements(${$(JSON.stringify(conversations))}::jsonb) AS t(c),
              jsonb_to_record(t.c) AS r(${CONVERSATION_COLUMNS})
         WHERE EXISTS (SELECT FROM fenced)
         ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET
           state = excluded.state, queue_id = excluded.queue_id, agent_id = excluded.agent_id,
           arrived_at = excluded.arrived_at, assigned_at = excluded.assigned_at, decided_at = excluded.decided_at,
           resolved_at = excluded.resolved_at, snapshot = excluded.snapshot
       )`);
    }
    if (changes.agents.length > 0) {
      const agents = changes.agents.map((runtime): AgentStateJson => {
        const live = engine.agent(runtime.agentId)!;
        return {
          agentId: runtime.agentId,
          presence: runtime.presence,
          presenceChangedAt: Math.round(runtime.presenceChangedAt),
          idleSince: runtime.idleSince,
          lastAssignedAt: runtime.lastAssignedAt,
          missedOffers: runtime.missedOffers,
          graceUntil: runtime.graceUntil,
          load: live.load,
          loadByChannel: live.loadByChannel,
          capacity: live.capacity,
        };
      });
      parts.push(`agents AS (
         INSERT INTO routing.agent_states
           (workspace_id, agent_id, presence, presence_changed_at, idle_since, last_assigned_at, missed_offers,
            grace_until, load, load_by_channel, capacity)
         SELECT $1, * FROM json_to_recordset(${$(JSON.stringify(agents))}::json) AS t(${AGENT_STATE_COLUMNS})
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
         SELECT $1, * FROM json_to_recordset(${$(JSON.stringify(affinity))}::json) AS t(${AFFINITY_COLUMNS})
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
         SELECT $1, e->>'topic', e->'event'
         FROM jsonb_array_elements(${$(JSON.stringify(events.map(({ topic, event }) => ({ topic, event }))))}::jsonb) AS t(e)
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
