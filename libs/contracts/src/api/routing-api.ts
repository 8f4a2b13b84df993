import type { Channel } from '../channels.js';
import type { Presence } from '../events/agent-presence-changed.event.js';
import type { BotReleaseReason } from '../events/bot-hold-changed.event.js';
import type { ConversationAssignedV1Payload } from '../events/conversation-assigned.event.js';
import type { MessageSender } from '../events/conversation-message-appended.event.js';
import type { ArrivalHistoryView, StaffingPlanInput, StaffingPlanView } from './staffing-plan.js';

/**
 * The routing service's interface: configuration of agents, skills and queues, presence, and what
 * supervisors watch. The inbox and the gRPC API call it; scoped by workspace like HistoryApi
 * (another workspace's ids throw NotFoundError). Views are plain JSON, times ISO-8601 strings.
 *
 * Agent ids are chosen by the caller (the inbox uses its user ids), so an agent created through
 * the gRPC API and a user invited in the inbox can be one person.
 */
export interface RoutingApi {
  // Agents
  upsertAgent(workspaceId: string, input: AgentInput): Promise<AgentView>;
  /** Creates the agent; AlreadyExistsError when the workspace has one with this id. */
  createAgent(workspaceId: string, input: AgentInput): Promise<AgentView>;
  /** Changes only what the patch names, atomically (no lost update); NotFoundError when absent. */
  updateAgent(workspaceId: string, agentId: string, patch: AgentPatch): Promise<AgentView>;
  getAgent(workspaceId: string, agentId: string): Promise<AgentView>;
  listAgents(workspaceId: string): Promise<AgentView[]>;
  removeAgent(workspaceId: string, agentId: string): Promise<void>;
  /** Sets presence now; going away or offline returns the agent's unanswered conversations to their queues. */
  setPresence(
    workspaceId: string,
    agentId: string,
    presence: Presence,
    reason: PresenceReason,
  ): Promise<AgentView>;

  // Queues
  /** Creates (no id, or an unknown one) or replaces a queue. Step expressions are validated: InvalidArgumentError names the step. */
  upsertQueue(workspaceId: string, input: QueueInput): Promise<QueueView>;
  getQueue(workspaceId: string, queueId: string): Promise<QueueView>;
  listQueues(workspaceId: string): Promise<QueueView[]>;
  deleteQueue(workspaceId: string, queueId: string): Promise<void>;

  // Supervision
  getQueueStats(workspaceId: string): Promise<QueueStatsView[]>;
  /** Where a conversation stands in routing, with the explanation of the last decision. */
  getDecision(workspaceId: string, conversationId: string): Promise<RoutingDecisionView>;
  /** The conversations the answer bot holds now, oldest first (ADR 0080): not waiting for an agent. */
  listBotConversations(workspaceId: string): Promise<BotConversationView[]>;

  // Commands (durable on the event log before they resolve; routing applies them in order)
  transfer(
    workspaceId: string,
    conversationId: string,
    to: TransferTarget,
    by: MessageSender,
    note?: string,
  ): Promise<void>;
  answerOffer(workspaceId: string, conversationId: string, agentId: string, accepted: boolean): Promise<void>;
  /**
   * An agent (or a supervisor for them) takes a conversation from the bot: the bot stops at once
   * and the conversation goes to `agentId` (at once with room, else it waits for them
   * ROUTING_TRANSFER_WAIT_SECONDS, then its queue). FailedPreconditionError when the bot does not
   * hold it; NotFoundError for an agent or conversation outside the workspace.
   */
  takeOver(workspaceId: string, conversationId: string, agentId: string, by: MessageSender): Promise<void>;

  // Planning (docs/routing.md, Staffing planner)
  /** Agents needed per hourly interval, with the expected service level, wait and occupancy. */
  planStaffing(workspaceId: string, input: StaffingPlanInput): Promise<StaffingPlanView>;
  /**
   * A queue's arrivals by hour of the week over the last `weeks` (1–12, default 4), as routing
   * recorded them, on the clock of `timeZone` (IANA, default UTC), with its fitted concurrency curve.
   */
  getArrivalHistory(
    workspaceId: string,
    queueId: string,
    weeks?: number,
    timeZone?: string,
  ): Promise<ArrivalHistoryView>;
}

/** DI token under which RoutingModule (in process) or the RPC client (remote) provides RoutingApi. */
export const ROUTING_API = Symbol.for('switchboard.RoutingApi');

export type PresenceReason = 'agent' | 'connection' | 'offer_timeouts' | 'admin';

export interface AgentSkill {
  /** Lower-case name, e.g. `billing`, `spanish`. */
  skill: string;
  /** 1 (novice) … 5 (expert). */
  proficiency: number;
}

export interface AgentInput {
  agentId: string;
  displayName: string;
  skills: AgentSkill[];
  /** Concurrent conversations per channel; a channel not named gets `defaultChannelCapacity`. */
  channelCapacity?: Partial<Record<Channel, number>>;
  /** Default 5. */
  defaultChannelCapacity?: number;
  /** Overall cap across channels; default: no cap beyond the per-channel ones. */
  maxConcurrent?: number | null;
  /** Queues this agent serves; empty means every queue of the workspace. */
  queueIds?: string[];
}

/** What `updateAgent` changes: the fields given; `maxConcurrent: null` removes the cap. */
export type AgentPatch = Partial<Omit<AgentInput, 'agentId'>>;

/** The agent `updateAgent` writes: `current` with the fields the patch gives. */
export function patchedAgent(current: AgentInput, patch: AgentPatch): AgentInput {
  return {
    agentId: current.agentId,
    displayName: patch.displayName ?? current.displayName,
    skills: patch.skills ?? current.skills,
    channelCapacity: patch.channelCapacity ?? current.channelCapacity,
    defaultChannelCapacity: patch.defaultChannelCapacity ?? current.defaultChannelCapacity,
    // null is a value here: it removes the cap.
    maxConcurrent: patch.maxConcurrent !== undefined ? patch.maxConcurrent : current.maxConcurrent,
    queueIds: patch.queueIds ?? current.queueIds,
  };
}

export interface AgentView {
  agentId: string;
  workspaceId: string;
  displayName: string;
  skills: AgentSkill[];
  channelCapacity: Partial<Record<Channel, number>>;
  defaultChannelCapacity: number;
  maxConcurrent: number | null;
  queueIds: string[];
  presence: Presence;
  /** Conversations the agent holds now (assigned, plus offers outstanding). */
  load: number;
  loadByChannel: Partial<Record<Channel, number>>;
  /** Effective overall capacity: min(maxConcurrent, sum of channel capacities). */
  capacity: number;
  /** Since when the agent has held nothing; null while busy or offline. */
  idleSince: string | null;
  updatedAt: string;
}

export interface QueueInput {
  id?: string;
  name: string;
  /** Higher first. Default 0. */
  priority?: number;
  /** Which conversations enter; the first matching queue by priority wins. Empty: everything. */
  entry?: QueueEntryRule;
  serviceLevel?: { targetPercent: number; withinSeconds: number };
  /**
   * Ordered routing steps. Each is an eligibility expression over skills and proficiency, e.g.
   * `billing >= 4 AND spanish >= 3` (AND, OR, NOT, parentheses, comparisons), with the seconds
   * after which the next, wider step applies (null on the last: it never expires). When every
   * step has expired, any agent of the queue is eligible.
   */
  steps?: RoutingStep[];
  /** `auto`: assign directly; `offer`: offer to one agent at a time, who accepts or rejects. */
  mode?: 'auto' | 'offer';
  /** Offer mode: seconds before an unanswered offer moves on. Default 30. */
  offerTimeoutSeconds?: number;
  /** Offers in a row an agent may let time out before being set away. Default 3. */
  maxMissedOffers?: number;
  /** Whoever last served the customer within `windowHours` gets it first, if eligible, waiting up to `waitSeconds`. */
  preferredAgent?: { windowHours: number; waitSeconds: number } | null;
}

export interface QueueEntryRule {
  channels?: Channel[];
  channelAccountIds?: string[];
  languages?: string[];
  /** All must match the customer's attributes. */
  customerAttributes?: Record<string, string>;
  /** Only conversations whose hints name this queue (a bot or integrator chose it). */
  namedOnly?: boolean;
}

export interface RoutingStep {
  expression: string;
  expiresAfterSeconds: number | null;
}

export interface QueueView {
  id: string;
  workspaceId: string;
  name: string;
  priority: number;
  entry: QueueEntryRule;
  serviceLevel: { targetPercent: number; withinSeconds: number };
  steps: RoutingStep[];
  mode: 'auto' | 'offer';
  offerTimeoutSeconds: number;
  maxMissedOffers: number;
  preferredAgent: { windowHours: number; waitSeconds: number } | null;
  createdAt: string;
  updatedAt: string;
}

export interface QueueStatsView {
  queueId: string;
  name: string;
  waiting: number;
  longestWaitSeconds: number;
  /** Share answered within the target over the last hour; null when nothing was answered yet. */
  serviceLevelPercent: number | null;
  targetPercent: number;
  agentsOnline: number;
  agentsAvailable: number;
}

export interface RoutingDecisionView {
  conversationId: string;
  /** `bot`: the answer bot holds it (ADR 0080), no agent is being looked for. */
  state: 'bot' | 'waiting' | 'offered' | 'assigned' | 'resolved' | 'unknown';
  queueId: string | null;
  agentId: string | null;
  /** The step currently applying to a waiting conversation. */
  currentStep: number | null;
  waitingSince: string | null;
  explanation: ConversationAssignedV1Payload['explanation'] | null;
  decidedAt: string | null;
  /** Why and when it left the bot (the service-level clock starts there); null if it never was with it. */
  handoff: { reason: BotReleaseReason; handedOffAt: string } | null;
}

/** A conversation with the answer bot, as agents and supervisors see it ("with the bot"). */
export interface BotConversationView {
  conversationId: string;
  customerId: string;
  channel: Channel;
  /** When the bot took it. */
  since: string;
  /** When routing hands it off unless the bot answers the customer's last message; null when answered. */
  replyDeadline: string | null;
}

export type TransferTarget = { agentId: string } | { queueId: string };
