import type { AgentSkill, Channel, QueueEntryRule, RoutingStep } from '@switchboard/contracts';
import type { AgentConfig, QueueConfig } from '../core/routing-types.js';

/** routing.agents as pg returns it. */
export interface AgentRow {
  workspace_id: string;
  agent_id: string;
  display_name: string;
  skills: AgentSkill[];
  channel_capacity: Partial<Record<Channel, number>>;
  default_channel_capacity: number;
  max_concurrent: number | null;
  queue_ids: string[];
  created_at: Date;
  updated_at: Date;
}

/** routing.queues as pg returns it. */
export interface QueueRow {
  workspace_id: string;
  id: string;
  name: string;
  priority: number;
  entry: QueueEntryRule;
  service_level: { targetPercent: number; withinSeconds: number };
  steps: RoutingStep[];
  mode: 'auto' | 'offer';
  offer_timeout_seconds: number;
  max_missed_offers: number;
  preferred_agent: { windowHours: number; waitSeconds: number } | null;
  created_at: Date;
  updated_at: Date;
}

export function agentConfigFromRow(row: AgentRow): AgentConfig {
  return {
    agentId: row.agent_id,
    displayName: row.display_name,
    skills: row.skills,
    channelCapacity: row.channel_capacity,
    defaultChannelCapacity: row.default_channel_capacity,
    maxConcurrent: row.max_concurrent,
    queueIds: row.queue_ids,
  };
}

export function queueConfigFromRow(row: QueueRow): QueueConfig {
  return {
    id: row.id,
    name: row.name,
    priority: row.priority,
    entry: row.entry,
    steps: row.steps,
    mode: row.mode,
    offerTimeoutSeconds: row.offer_timeout_seconds,
    maxMissedOffers: row.max_missed_offers,
    preferredAgent: row.preferred_agent,
    createdAt: new Date(row.created_at).getTime(),
  };
}
