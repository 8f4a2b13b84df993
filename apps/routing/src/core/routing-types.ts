import type {
  AgentSkill,
  BotReleaseReason,
  Channel,
  ConversationAssignedV1Payload,
  Presence,
  PresenceReason,
  QueueEntryRule,
  RoutingStep,
} from '@switchboard/contracts';

export type Explanation = ConversationAssignedV1Payload['explanation'];

/** An agent's configuration, as the routing core sees it (times in epoch ms). */
export interface AgentConfig {
  readonly agentId: string;
  readonly displayName: string;
  readonly skills: readonly AgentSkill[];
  readonly channelCapacity: Partial<Record<Channel, number>>;
  readonly defaultChannelCapacity: number;
  readonly maxConcurrent: number | null;
  /** Empty: every queue. */
  readonly queueIds: readonly string[];
}

export interface QueueConfig {
  readonly id: string;
  readonly name: string;
  readonly priority: number;
  readonly entry: QueueEntryRule;
  readonly steps: readonly RoutingStep[];
  readonly mode: 'auto' | 'offer';
  readonly offerTimeoutSeconds: number;
  readonly maxMissedOffers: number;
  readonly preferredAgent: { readonly windowHours: number; readonly waitSeconds: number } | null;
  /** Ties between queues of one priority go to the older queue. */
  readonly createdAt: number;
}

/** A conversation that just opened, with what entry rules match on. */
export interface ConversationArrival {
  readonly conversationId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly channelAccountId: string | null;
  readonly customerAttributes: Readonly<Record<string, string>>;
  /** `language`, `queue` (a queue's id or name chosen by a bot or integrator), `priority`. */
  readonly hints: Readonly<Record<string, string>>;
}

/** `bot`: held for the answer bot (ADR 0080) — in no line, no service-level clock. */
export type ConversationState = 'bot' | 'waiting' | 'offered' | 'assigned' | 'resolved';

/** Why and when a conversation left the bot for routing's queues. */
export interface BotHandoff {
  readonly reason: BotReleaseReason;
  readonly at: number;
}

export interface Reservation {
  readonly agentId: string;
  readonly until: number;
  readonly kind: 'preferred' | 'transfer';
}

/** Everything needed to restore a conversation's place in routing after a restart. */
export interface ConversationSnapshot extends ConversationArrival {
  readonly state: ConversationState;
  readonly queueId: string | null;
  readonly priority: number;
  readonly agentId: string | null;
  /** When it entered its current queue: steps expire from here, and it orders the line. */
  readonly arrivedAt: number;
  readonly seq: number;
  readonly reservation: Reservation | null;
  readonly declined: readonly string[];
  readonly offerDeadline: number | null;
  /** An agent replied since it was assigned: it stays with them if they go away. */
  readonly answered: boolean;
  readonly explanation: Explanation | null;
  readonly decidedAt: number | null;
  /** First time it was assigned (accepted) since entering its queue: the service level counts it. */
  readonly assignedAt: number | null;
  readonly resolvedAt: number | null;
  /** While with the bot: when routing hands it off unless the bot answers (absent in older rows). */
  readonly botDeadline?: number | null;
  /** Since it left the bot: why and when (absent in older rows). */
  readonly handoff?: BotHandoff | null;
  /**
   * Resolved while the bot held it, never handed to people (absent in older rows): the staffing
   * planner's arrivals leave it out, as it needed no agent.
   */
  readonly resolvedWithBot?: boolean;
}

export interface AgentRuntimeSnapshot {
  readonly agentId: string;
  readonly presence: Presence;
  readonly presenceChangedAt: number;
  readonly idleSince: number | null;
  readonly lastAssignedAt: number | null;
  readonly missedOffers: number;
  /** A dropped connection's grace period: offline at this time unless the agent reconnects. */
  readonly graceUntil: number | null;
}

export interface CustomerAffinity {
  readonly customerId: string;
  readonly agentId: string;
  readonly servedAt: number;
}

export type UnassignReason =
  'agent_away' | 'agent_offline' | 'agent_removed' | 'offer_rejected' | 'offer_timeout' | 'transferred';

export type RoutingEffect =
  | {
      readonly kind: 'assigned';
      readonly conversationId: string;
      readonly queueId: string | null;
      readonly agentId: string;
      readonly mode: 'assign' | 'offer';
      readonly at: number;
      readonly explanation: Explanation;
    }
  | {
      readonly kind: 'unassigned';
      readonly conversationId: string;
      readonly queueId: string | null;
      readonly agentId: string;
      readonly reason: UnassignReason;
      readonly at: number;
    }
  | {
      readonly kind: 'bot_held';
      readonly conversationId: string;
      readonly customerId: string;
      readonly channel: Channel;
      readonly at: number;
    }
  | {
      readonly kind: 'bot_released';
      readonly conversationId: string;
      readonly customerId: string;
      readonly channel: Channel;
      readonly reason: BotReleaseReason;
      /** The agent who took it over, or null when it went to the queues. */
      readonly agentId: string | null;
      readonly at: number;
    }
  | {
      readonly kind: 'presence';
      readonly agentId: string;
      readonly presence: Presence;
      readonly reason: PresenceReason;
      readonly at: number;
    };

export interface RoutingChanges {
  readonly conversations: ConversationSnapshot[];
  readonly agents: AgentRuntimeSnapshot[];
  readonly customers: CustomerAffinity[];
  /** The channels the bot serves, when they changed in this batch; otherwise null. */
  readonly botChannels: Channel[] | null;
}
