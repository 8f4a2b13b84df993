import { Injectable } from '@nestjs/common';
import {
  FailedPreconditionError,
  NotFoundError,
  channelSchema,
  type AgentView,
  type Channel,
  type Presence,
  type QueueView,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { ConversationSnapshot } from '../core/routing-types.js';
import { agentConfigFromRow, type AgentRow, type QueueRow } from '../workspaces/routing-rows.js';
import type { DataSource } from 'typeorm';
import { checkWorkspace } from './routing-api.validation.js';

const CHANNELS = channelSchema.options;

/** An agent's live state, as the workspace's owner persisted it. */
export interface AgentStateRow {
  presence: Presence;
  load: number;
  load_by_channel: Partial<Record<Channel, number>>;
  idle_since: string | null;
}

/** The routing schema's rows the API reads, and the views it makes of them. Every query is scoped by workspace. */
@Injectable()
export class RoutingReadsRepository {
  constructor(@InjectServiceDataSource('routing') private readonly db: DataSource) {}

  async agentRow(workspaceId: string, agentId: string): Promise<AgentRow> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<AgentRow[]>(
      'SELECT * FROM routing.agents WHERE workspace_id = $1 AND agent_id = $2',
      [workspaceId, agentId],
    );
    if (rows.length === 0) throw new NotFoundError(`agent ${agentId}`);
    return rows[0]!;
  }

  async agentState(workspaceId: string, agentId: string): Promise<AgentStateRow | undefined> {
    const rows = await this.db.query<AgentStateRow[]>(
      'SELECT presence, load, load_by_channel, idle_since FROM routing.agent_states WHERE workspace_id = $1 AND agent_id = $2',
      [workspaceId, agentId],
    );
    return rows[0];
  }

  async queueRow(workspaceId: string, queueId: string): Promise<QueueRow | undefined> {
    const rows = await this.db.query<QueueRow[]>(
      'SELECT * FROM routing.queues WHERE workspace_id = $1 AND id = $2',
      [workspaceId, queueId],
    );
    return rows[0];
  }

  async conversationState(
    workspaceId: string,
    conversationId: string,
    states: readonly string[],
  ): Promise<ConversationSnapshot> {
    const rows = await this.db.query<{ snapshot: ConversationSnapshot }[]>(
      'SELECT snapshot FROM routing.conversations WHERE workspace_id = $1 AND conversation_id = $2',
      [workspaceId, conversationId],
    );
    const snapshot = rows[0]?.snapshot;
    if (!snapshot) throw new NotFoundError(`conversation ${conversationId}`);
    if (!states.includes(snapshot.state))
      throw new FailedPreconditionError(`conversation ${conversationId} is ${snapshot.state}`);
    return snapshot;
  }

  agentView(row: AgentRow, state: AgentStateRow | undefined, presence?: Presence): AgentView {
    const config = agentConfigFromRow(row);
    const sum = CHANNELS.reduce(
      (total, c) => total + (config.channelCapacity[c] ?? config.defaultChannelCapacity),
      0,
    );
    return {
      agentId: row.agent_id,
      workspaceId: row.workspace_id,
      displayName: row.display_name,
      skills: row.skills,
      channelCapacity: row.channel_capacity,
      defaultChannelCapacity: row.default_channel_capacity,
      maxConcurrent: row.max_concurrent,
      queueIds: row.queue_ids,
      presence: presence ?? state?.presence ?? 'offline',
      load: state ? Number(state.load) : 0,
      loadByChannel: state?.load_by_channel ?? {},
      capacity: config.maxConcurrent === null ? sum : Math.min(config.maxConcurrent, sum),
      idleSince: state?.idle_since ? new Date(Number(state.idle_since)).toISOString() : null,
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }
}

export function queueView(row: QueueRow): QueueView {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    priority: row.priority,
    entry: row.entry,
    serviceLevel: row.service_level,
    steps: row.steps,
    mode: row.mode,
    offerTimeoutSeconds: row.offer_timeout_seconds,
    maxMissedOffers: row.max_missed_offers,
    preferredAgent: row.preferred_agent,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
