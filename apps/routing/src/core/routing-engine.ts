import {
  channelSchema,
  type BotReleaseReason,
  type Channel,
  type Presence,
  type PresenceReason,
} from '@switchboard/contracts';
import {
  ANY_AGENT,
  parseEligibilityExpression,
  type EligibilityExpression,
} from './eligibility-expression.js';
import { IndexedHeap } from './indexed-heap.js';
import type {
  AgentConfig,
  AgentRuntimeSnapshot,
  BotHandoff,
  ConversationArrival,
  ConversationSnapshot,
  ConversationState,
  CustomerAffinity,
  Explanation,
  QueueConfig,
  Reservation,
  RoutingChanges,
  RoutingEffect,
  UnassignReason,
} from './routing-types.js';
import { TimerQueue } from './timer-queue.js';
import { WaitingLine, type LineEntry } from './waiting-line.js';

type Candidate = {
  -readonly [K in keyof Explanation['candidates'][number]]: Explanation['candidates'][number][K];
};

const CHANNELS: readonly Channel[] = channelSchema.options;
const CHANNEL_INDEX = new Map(CHANNELS.map((c, i) => [c, i]));
/** Shared by every conversation nobody declined (most): one Set fewer per conversation. Never mutated. */
const NONE_DECLINED: Set<string> = new Set();
/** Agents of the next step looked at for balance, least occupied first. */
const BALANCE_LOOKAHEAD = 16;
/** The queue of conversations no queue's entry rule took: every agent serves it. */
const DEFAULT_QUEUE = '';
/** Hand-offs for conversations not opened here yet (the two topics race), kept at most this many. */
const EARLY_HANDOFFS_KEPT = 10_000;

export interface RoutingEngineOptions {
  /** Injected so the simulator and the tests run on virtual time. */
  readonly clock: () => number;
  /** How long a dropped connection may come back before the agent goes offline. Default 30 s. */
  readonly disconnectGraceMs?: number;
  /** How long a conversation transferred to a busy agent waits for them before its queue takes it. Default 120 s. */
  readonly transferWaitMs?: number;
  /** Runners-up listed in an explanation beside the winner. Default 4. */
  readonly explainRunnersUp?: number;
  /**
   * How long a resolved conversation stays in memory, so that a reopen routes it again; 0 forgets
   * it at once (simulations). Default `RESOLVED_KEPT_MS`, what a restart loads.
   */
  readonly resolvedKeptMs?: number;
  /**
   * Load (minutes at full occupancy) an agent of a queue's next step must have carried less than
   * the closest match before taking a conversation ahead of the step (`balanceAhead`). Default 30;
   * `Infinity` keeps steps strict.
   */
  readonly balanceMarginMinutes?: number;
  /** How long the bot may leave a customer's message unanswered before routing hands off. Default 30 s. */
  readonly botReplyMs?: number;
}

interface AgentState {
  config: AgentConfig;
  skills: Map<string, number>;
  capacity: number;
  capacityByChannel: number[];
  load: number;
  loadByChannel: number[];
  held: Set<ConversationStateRecord>;
  presence: Presence;
  presenceChangedAt: number;
  graceUntil: number | null;
  idleSince: number | null;
  lastAssignedAt: number | null;
  missedOffers: number;
  version: number;
  /** Pools (queue × step) this agent is eligible for. */
  pools: Pool[];
  /** Queues this agent serves, highest priority first. */
  queueOrder: QueueState[];
  /** Conversations waiting for this agent in particular (preferred agent, transfer). */
  reserved: Set<ConversationStateRecord>;
  /**
   * Load carried so far: ∫ load ÷ capacity dt (ms) up to `workedSince`, accruing at `workRate`
   * since. Among agents equally occupied now, the one who carried least takes the next
   * conversation (the least-occupied-agent rule), so an agent who holds chats longer — slower,
   * or unlucky in what they got — is not also the one handed the next.
   */
  worked: number;
  workedSince: number;
  workRate: number;
  /** Heap keys, changed only while the agent's heap positions are being fixed. */
  keyOccupancy: number;
  /** Idle: since when (longest idle first). Busy: load carried, as of a common instant (least first). */
  keyIdle: number;
}

interface Pool {
  readonly queue: QueueState;
  readonly step: number;
  readonly expression: EligibilityExpression;
  readonly eligible: Set<AgentState>;
  readonly heaps: Map<Channel, IndexedHeap<AgentState>>;
}

interface LineGroup {
  readonly priority: number;
  readonly byChannel: Map<Channel, WaitingLine>;
}

interface QueueState {
  config: QueueConfig;
  readonly key: string;
  /** One pool per step, plus the last: any agent of the queue. */
  pools: Pool[];
  /** thresholds[s]: ms in the queue after which step s applies (Infinity: never). */
  thresholds: number[];
  /** Highest conversation priority first. */
  lines: LineGroup[];
}

interface ConversationStateRecord {
  arrival: ConversationArrival;
  state: ConversationState;
  queueKey: string;
  priority: number;
  agent: AgentState | null;
  arrivedAt: number;
  seq: number;
  reservation: Reservation | null;
  declined: Set<string>;
  offerDeadline: number | null;
  answered: boolean;
  explanation: Explanation | null;
  decidedAt: number | null;
  assignedAt: number | null;
  resolvedAt: number | null;
  botDeadline: number | null;
  handoff: BotHandoff | null;
  /** Resolved while the bot held it: no agent was ever needed (the planner leaves it out). */
  resolvedWithBot: boolean;
  version: number;
  entry: LineEntry | null;
  line: WaitingLine | null;
}

/**
 * The routing core of one workspace: agents, queues and conversations in memory, every decision
 * made here. Plain and deterministic — the clock is injected, nothing is awaited — so the service,
 * the simulator and the benchmark run the very same code. Callers apply inputs in order and then
 * collect `takeEffects()` (events to publish) and `takeChanges()` (rows to persist).
 *
 * Invariants kept after every call: an agent's load never exceeds their capacity by a decision of
 * ours; a conversation has at most one holder; no waiting conversation has an available agent
 * eligible at its current step (so nobody waits while someone could take it); within a queue and
 * a priority, an agent always takes the oldest conversation they are eligible for.
 */
/** Resolved conversations kept in memory and loaded on a restart for this long, so a reopen routes them again. */
export const RESOLVED_KEPT_MS = 24 * 3_600_000;
/** Who served a customer, kept for the longest preferred-agent window a queue may have (720 h). */
export const AFFINITY_KEPT_MS = 30 * 24 * 3_600_000;

export class RoutingEngine {
  private readonly clock: () => number;
  private readonly graceMs: number;
  private readonly transferWaitMs: number;
  private readonly runnersUp: number;
  private readonly resolvedKeptMs: number;
  private readonly balanceMarginMs: number;
  private readonly botReplyMs: number;
  /** Channels the bot serves: conversations opened there by a customer are held for it. */
  private readonly botChannels = new Set<Channel>();
  private botChannelsChanged = false;
  /** Hand-offs that arrived before their conversation's opening (routing-commands ran ahead). */
  private readonly earlyHandoffs = new Map<string, BotHandoff>();
  private readonly agents = new Map<string, AgentState>();
  private readonly queues = new Map<string, QueueState>();
  /** Every queue, highest priority first (the default queue last). */
  private queueOrder: QueueState[] = [];
  private readonly conversations = new Map<string, ConversationStateRecord>();
  /** Who last served each customer, oldest service first (`recordService` moves a customer last). */
  private readonly affinity = new Map<string, CustomerAffinity>();
  /**
   * Resolved conversations in the order they were resolved, each with the time it was: `forgetOld`
   * drops those resolved `resolvedKeptMs` ago and not reopened since, so a long-running process
   * holds what a restart would load, not every conversation it ever routed.
   */
  private resolvedOrder: { readonly conversation: ConversationStateRecord; readonly resolvedAt: number }[] =
    [];
  private resolvedHead = 0;
  private readonly timers = new TimerQueue();
  private readonly dirtyAgents = new Set<AgentState>();
  private effects: RoutingEffect[] = [];
  private changedConversations = new Set<ConversationStateRecord>();
  private changedAgents = new Set<AgentState>();
  private changedAffinity: CustomerAffinity[] = [];
  private seq = 0;

  constructor(options: RoutingEngineOptions) {
    this.clock = options.clock;
    this.graceMs = options.disconnectGraceMs ?? 30_000;
    this.transferWaitMs = options.transferWaitMs ?? 120_000;
    this.runnersUp = options.explainRunnersUp ?? 4;
    this.resolvedKeptMs = options.resolvedKeptMs ?? RESOLVED_KEPT_MS;
    this.balanceMarginMs = (options.balanceMarginMinutes ?? 30) * 60_000;
    this.botReplyMs = options.botReplyMs ?? 30_000;
    this.installQueue({
      id: DEFAULT_QUEUE,
      name: 'default',
      priority: Number.NEGATIVE_INFINITY,
      entry: {},
      steps: [],
      mode: 'auto',
      offerTimeoutSeconds: 30,
      maxMissedOffers: 3,
      preferredAgent: null,
      createdAt: 0,
    });
    this.rebuildQueueOrder();
  }

  // ─── Restoring ────────────────────────────────────────────────────────────────────────────

  /**
   * Rebuilds state from what was persisted: no decisions while restoring, then one pass that
   * gives every available agent whatever they can take (decisions pending at the crash are made).
   */
  restore(snapshot: {
    queues: readonly QueueConfig[];
    agents: readonly { config: AgentConfig; runtime: AgentRuntimeSnapshot | null }[];
    conversations: readonly ConversationSnapshot[];
    affinity: readonly CustomerAffinity[];
    botChannels?: readonly Channel[];
  }): void {
    for (const channel of snapshot.botChannels ?? []) this.botChannels.add(channel);
    for (const queue of snapshot.queues) this.installQueue(queue);
    this.rebuildQueueOrder();
    for (const { config, runtime } of snapshot.agents) {
      const agent = this.installAgent(config);
      if (runtime) {
        agent.presence = runtime.presence;
        agent.presenceChangedAt = runtime.presenceChangedAt;
        agent.idleSince = runtime.idleSince;
        agent.lastAssignedAt = runtime.lastAssignedAt;
        agent.missedOffers = runtime.missedOffers;
        agent.graceUntil = runtime.graceUntil;
        if (agent.graceUntil !== null)
          this.timers.push({
            at: agent.graceUntil,
            kind: 'grace',
            id: config.agentId,
            version: agent.version,
          });
      }
    }
    for (const a of [...snapshot.affinity].sort((x, y) => x.servedAt - y.servedAt))
      this.affinity.set(a.customerId, a);
    const sorted = [...snapshot.conversations].sort((a, b) => a.arrivedAt - b.arrivedAt || a.seq - b.seq);
    for (const s of sorted) {
      this.seq = Math.max(this.seq, s.seq);
      const conversation: ConversationStateRecord = {
        arrival: {
          conversationId: s.conversationId,
          customerId: s.customerId,
          channel: s.channel,
          channelAccountId: s.channelAccountId,
          customerAttributes: s.customerAttributes,
          hints: s.hints,
        },
        state: s.state,
        queueKey: s.queueId !== null && this.queues.has(s.queueId) ? s.queueId : DEFAULT_QUEUE,
        priority: s.priority,
        agent: null,
        arrivedAt: s.arrivedAt,
        seq: s.seq,
        reservation: s.reservation,
        declined: s.declined.length === 0 ? NONE_DECLINED : new Set(s.declined),
        offerDeadline: s.offerDeadline,
        answered: s.answered,
        explanation: s.explanation,
        decidedAt: s.decidedAt,
        assignedAt: s.assignedAt,
        resolvedAt: s.resolvedAt,
        botDeadline: s.botDeadline ?? null,
        handoff: s.handoff ?? null,
        resolvedWithBot: s.resolvedWithBot ?? false,
        version: 0,
        entry: null,
        line: null,
      };
      this.conversations.set(s.conversationId, conversation);
      if (s.state === 'resolved') {
        if (s.resolvedAt !== null) this.resolvedOrder.push({ conversation, resolvedAt: s.resolvedAt });
        continue;
      }
      if (s.state === 'bot') {
        if (conversation.botDeadline !== null) this.armBotDeadline(conversation);
        continue;
      }
      const agent = s.agentId === null ? undefined : this.agents.get(s.agentId);
      if ((s.state === 'assigned' || s.state === 'offered') && agent) {
        this.hold(conversation, agent);
        if (s.state === 'offered' && s.offerDeadline !== null) {
          this.timers.push({
            at: s.offerDeadline,
            kind: 'offer',
            id: s.conversationId,
            version: conversation.version,
          });
        }
      } else if (s.state === 'waiting') {
        this.park(conversation);
      } else {
        // Held by an agent who no longer exists: back to its queue.
        conversation.state = 'waiting';
        this.park(conversation);
        this.changedConversations.add(conversation);
      }
    }
    // Restored in order of arrival: `forgetOld` reads them in the order they were resolved.
    this.resolvedOrder.sort((a, b) => a.resolvedAt - b.resolvedAt);
    this.rebalance();
  }

  // ─── Configuration ───────────────────────────────────────────────────────────────────────

  upsertQueue(config: QueueConfig): void {
    this.advance();
    if (config.id === DEFAULT_QUEUE) throw new Error('the default queue cannot be configured');
    const existing = this.queues.get(config.id);
    const waiting = existing ? this.takeWaiting(existing) : [];
    this.installQueue(config);
    this.rebuildQueueOrder();
    for (const agent of this.agents.values()) this.computeMemberships(agent);
    for (const conversation of waiting) {
      conversation.version++;
      this.place(conversation);
    }
    this.rebalance();
  }

  removeQueue(queueId: string): void {
    this.advance();
    const queue = this.queues.get(queueId);
    if (!queue || queueId === DEFAULT_QUEUE) return;
    const waiting = this.takeWaiting(queue);
    this.queues.delete(queueId);
    this.rebuildQueueOrder();
    for (const agent of this.agents.values()) this.computeMemberships(agent);
    for (const conversation of this.conversations.values()) {
      if (conversation.queueKey === queueId) {
        conversation.queueKey = this.chooseQueue(conversation.arrival).key;
        this.changedConversations.add(conversation);
      }
    }
    for (const conversation of waiting) {
      conversation.version++;
      this.place(conversation);
    }
    this.rebalance();
  }

  upsertAgent(config: AgentConfig): void {
    this.advance();
    const existing = this.agents.get(config.agentId);
    if (existing) {
      for (const pool of existing.pools) this.leavePool(existing, pool);
      existing.config = config;
      this.applyAgentConfig(existing);
      this.computeMemberships(existing);
      this.markAgent(existing);
      this.drain(existing);
    } else {
      const agent = this.installAgent(config);
      this.changedAgents.add(agent);
    }
    this.syncPools();
  }

  removeAgent(agentId: string): void {
    this.advance();
    const agent = this.agents.get(agentId);
    if (!agent) return;
    // Gone before its conversations are handed back: it must not be offered them again, nor
    // re-enter a pool when a conversation it held is released.
    this.agents.delete(agentId);
    agent.presence = 'offline';
    agent.version++;
    for (const pool of agent.pools) this.leavePool(agent, pool);
    agent.pools = [];
    agent.queueOrder = [];
    this.dirtyAgents.delete(agent);
    this.returnConversations(agent, 'agent_removed', () => true);
    for (const conversation of [...agent.reserved]) {
      agent.reserved.delete(conversation);
      conversation.reservation = null;
      conversation.version++;
      this.place(conversation);
    }
    for (const [customerId, a] of this.affinity) if (a.agentId === agentId) this.affinity.delete(customerId);
    this.syncPools();
  }

  /**
   * Presence from the inbox (connections), the agent, an admin or routing itself. `changedAt`
   * orders them: a change older than the one applied is stale (routing's own echo crossing an
   * agent's reconnection on the log) and is ignored.
   */
  setPresence(
    agentId: string,
    presence: Presence,
    reason: PresenceReason,
    changedAt: number = this.clock(),
  ): void {
    this.advance();
    const agent = this.agents.get(agentId);
    if (!agent || changedAt < agent.presenceChangedAt) return;
    if (
      presence === 'offline' &&
      reason === 'connection' &&
      agent.presence !== 'offline' &&
      this.graceMs > 0
    ) {
      if (agent.graceUntil !== null) return;
      agent.graceUntil = this.clock() + this.graceMs;
      agent.presenceChangedAt = changedAt;
      agent.version++;
      this.timers.push({ at: agent.graceUntil, kind: 'grace', id: agentId, version: agent.version });
      this.markAgent(agent);
      this.syncPools();
      return;
    }
    this.applyPresence(agent, presence, changedAt);
    this.syncPools();
  }

  // ─── Conversations ───────────────────────────────────────────────────────────────────────

  /**
   * A conversation opened: it enters the first queue whose entry rule takes it — or, opened by the
   * customer on a channel the bot serves, it is held for the bot (ADR 0080). Idempotent.
   */
  open(arrival: ConversationArrival, fromCustomer = true): void {
    this.advance();
    if (this.conversations.has(arrival.conversationId)) return;
    const early = this.earlyHandoffs.get(arrival.conversationId) ?? null;
    this.earlyHandoffs.delete(arrival.conversationId);
    const held = fromCustomer && early === null && this.botChannels.has(arrival.channel);
    const queue = held ? this.queues.get(DEFAULT_QUEUE)! : this.chooseQueue(arrival);
    const now = this.clock();
    const conversation: ConversationStateRecord = {
      arrival,
      state: held ? 'bot' : 'waiting',
      queueKey: queue.key,
      priority: parsePriority(arrival.hints.priority),
      agent: null,
      arrivedAt: now,
      seq: ++this.seq,
      reservation: null,
      declined: NONE_DECLINED,
      offerDeadline: null,
      answered: false,
      explanation: null,
      decidedAt: null,
      assignedAt: null,
      resolvedAt: null,
      botDeadline: held ? now + this.botReplyMs : null,
      handoff: early,
      resolvedWithBot: false,
      version: 0,
      entry: null,
      line: null,
    };
    this.conversations.set(arrival.conversationId, conversation);
    this.changedConversations.add(conversation);
    if (held) {
      this.armBotDeadline(conversation);
      this.effects.push({
        kind: 'bot_held',
        conversationId: arrival.conversationId,
        customerId: arrival.customerId,
        channel: arrival.channel,
        at: now,
      });
      return;
    }
    this.reservePreferred(conversation, queue);
    this.place(conversation);
    this.syncPools();
  }

  /** Resolved: capacity frees at once and the agent takes the next conversation. */
  resolve(conversationId: string): void {
    this.advance();
    const conversation = this.conversations.get(conversationId);
    if (!conversation || conversation.state === 'resolved') return;
    this.unpark(conversation);
    const agent = conversation.agent;
    if (agent) this.release(conversation, null);
    conversation.resolvedWithBot = conversation.state === 'bot';
    conversation.state = 'resolved';
    const resolvedAt = this.clock();
    conversation.resolvedAt = resolvedAt;
    conversation.botDeadline = null;
    conversation.version++;
    this.changedConversations.add(conversation);
    if (agent) this.drain(agent);
    if (this.resolvedKeptMs <= 0) this.conversations.delete(conversationId);
    else this.resolvedOrder.push({ conversation, resolvedAt });
    this.syncPools();
  }

  /** A resolved conversation reopened: it routes again, from the start of its queue's steps. */
  reopen(conversationId: string): void {
    this.advance();
    const conversation = this.conversations.get(conversationId);
    if (!conversation || conversation.state !== 'resolved') return;
    const queue = this.chooseQueue(conversation.arrival);
    conversation.state = 'waiting';
    conversation.resolvedWithBot = false;
    conversation.queueKey = queue.key;
    conversation.arrivedAt = this.clock();
    conversation.seq = ++this.seq;
    conversation.declined = NONE_DECLINED;
    conversation.reservation = null;
    conversation.assignedAt = null;
    conversation.resolvedAt = null;
    conversation.version++;
    this.changedConversations.add(conversation);
    this.reservePreferred(conversation, queue);
    this.place(conversation);
    this.syncPools();
  }

  /**
   * An agent replied: the conversation is answered and stays with its agent through an away. In a
   * conversation the bot holds, the reply is a takeover: it goes to that agent (ADR 0080).
   */
  markAnswered(conversationId: string, agentId?: string): void {
    const conversation = this.conversations.get(conversationId);
    if (conversation?.state === 'bot') {
      this.advance();
      if (conversation.state !== 'bot') return;
      this.leaveBot(conversation, 'taken_over', agentId === undefined ? null : { agentId }, agentId ?? null);
      this.syncPools();
    }
    if (!conversation || conversation.state !== 'assigned' || conversation.answered) return;
    conversation.answered = true;
    this.changedConversations.add(conversation);
  }

  transfer(conversationId: string, to: { agentId: string } | { queueId: string }, by: string): void {
    this.advance();
    const conversation = this.conversations.get(conversationId);
    if (!conversation || conversation.state === 'resolved') return;
    if (conversation.state === 'bot') {
      this.leaveBot(conversation, 'taken_over', to, by);
      this.syncPools();
      return;
    }
    const now = this.clock();
    if ('agentId' in to) {
      if (!this.agents.has(to.agentId) || conversation.agent?.config.agentId === to.agentId) return;
      this.detach(conversation, 'transferred');
      conversation.reservation = { agentId: to.agentId, until: now + this.transferWaitMs, kind: 'transfer' };
      conversation.explanation = {
        step: null,
        reason: `transferred to ${to.agentId} by ${by}`,
        candidates: [],
      };
    } else {
      const queue = this.queues.get(to.queueId);
      if (!queue || to.queueId === DEFAULT_QUEUE) return;
      this.detach(conversation, 'transferred');
      conversation.queueKey = queue.key;
      conversation.arrivedAt = now;
      conversation.seq = ++this.seq;
      conversation.reservation = null;
      conversation.assignedAt = null;
    }
    conversation.declined = NONE_DECLINED;
    conversation.version++;
    this.changedConversations.add(conversation);
    this.place(conversation);
    this.syncPools();
  }

  // ─── The bot (ADR 0080) ──────────────────────────────────────────────────────────────────

  /** The bot switched on or off for a channel; off hands off every conversation it holds there. */
  setBotChannel(channel: Channel, enabled: boolean): void {
    this.advance();
    if (enabled === this.botChannels.has(channel)) return;
    this.botChannelsChanged = true;
    if (enabled) {
      this.botChannels.add(channel);
      return;
    }
    this.botChannels.delete(channel);
    const held = [...this.conversations.values()]
      .filter((c) => c.state === 'bot' && c.arrival.channel === channel)
      .sort(byArrival);
    for (const conversation of held) this.leaveBot(conversation, 'bot_switched_off', null, null);
    this.syncPools();
  }

  /**
   * The bot gives the conversation to people: it enters its queue now, and the service-level clock
   * starts now. A conversation not with the bot is left alone (idempotent); one not opened here
   * yet goes to the queues when it opens.
   */
  handOff(conversationId: string, reason: BotReleaseReason): void {
    this.advance();
    const conversation = this.conversations.get(conversationId);
    if (!conversation) {
      this.earlyHandoffs.set(conversationId, { reason, at: this.clock() });
      if (this.earlyHandoffs.size > EARLY_HANDOFFS_KEPT)
        this.earlyHandoffs.delete(this.earlyHandoffs.keys().next().value!);
      return;
    }
    if (conversation.state !== 'bot') return;
    this.leaveBot(conversation, reason, null, null);
    this.syncPools();
  }

  /** A customer wrote in a conversation: if the bot holds it, the bot's reply deadline starts (unless running). */
  customerWrote(conversationId: string): void {
    this.advance();
    const conversation = this.conversations.get(conversationId);
    if (conversation?.state !== 'bot' || conversation.botDeadline !== null) return;
    conversation.botDeadline = this.clock() + this.botReplyMs;
    conversation.version++;
    this.armBotDeadline(conversation);
    this.changedConversations.add(conversation);
  }

  /** The bot answered: no deadline until the customer writes again. */
  botReplied(conversationId: string): void {
    this.advance();
    const conversation = this.conversations.get(conversationId);
    if (conversation?.state !== 'bot' || conversation.botDeadline === null) return;
    conversation.botDeadline = null;
    conversation.version++;
    this.changedConversations.add(conversation);
  }

  /** The channels the bot serves, in channel order. */
  botChannelList(): Channel[] {
    return CHANNELS.filter((c) => this.botChannels.has(c));
  }

  answerOffer(conversationId: string, agentId: string, accepted: boolean): void {
    this.advance();
    const conversation = this.conversations.get(conversationId);
    if (!conversation || conversation.state !== 'offered' || conversation.agent?.config.agentId !== agentId)
      return;
    const agent = conversation.agent;
    agent.missedOffers = 0;
    this.changedAgents.add(agent);
    if (accepted) {
      this.accept(conversation);
    } else {
      this.release(conversation, 'offer_rejected');
      this.decline(conversation, agentId);
      conversation.version++;
      this.place(conversation);
      this.drain(agent);
    }
    this.syncPools();
  }

  // ─── Time ────────────────────────────────────────────────────────────────────────────────

  /** Fires every timer due by now: offers time out, steps widen, waits for an agent end. */
  advance(): void {
    const now = this.clock();
    this.forgetOld(now);
    for (;;) {
      const timer = this.timers.peek();
      if (!timer || timer.at > now) break;
      this.timers.pop();
      if (timer.kind === 'grace') {
        const agent = this.agents.get(timer.id);
        if (!agent || agent.version !== timer.version || agent.graceUntil === null) continue;
        this.applyPresence(agent, 'offline', timer.at);
        this.effects.push({
          kind: 'presence',
          agentId: timer.id,
          presence: 'offline',
          reason: 'connection',
          at: timer.at,
        });
        this.syncPools();
        continue;
      }
      const conversation = this.conversations.get(timer.id);
      if (!conversation || conversation.version !== timer.version) continue;
      switch (timer.kind) {
        case 'step':
          if (conversation.state === 'waiting' && conversation.entry) this.stepExpired(conversation);
          break;
        case 'offer':
          if (conversation.state === 'offered') this.offerTimedOut(conversation);
          break;
        case 'bot':
          if (conversation.state === 'bot' && conversation.botDeadline !== null)
            this.leaveBot(conversation, 'bot_timeout', null, null);
          break;
        case 'reservation':
          if (conversation.state === 'waiting' && conversation.reservation) {
            const agent = this.agents.get(conversation.reservation.agentId);
            agent?.reserved.delete(conversation);
            conversation.reservation = null;
            conversation.version++;
            this.changedConversations.add(conversation);
            this.place(conversation);
          }
          break;
      }
      this.syncPools();
    }
  }

  /**
   * Drops from memory what a restart would not load (`RoutingStateRepository.load`): conversations
   * resolved `resolvedKeptMs` ago and not reopened since, and services older than the longest
   * preferred-agent window. Their rows stay in PostgreSQL; only the process's memory is bounded.
   */
  private forgetOld(now: number): void {
    const order = this.resolvedOrder;
    while (
      this.resolvedHead < order.length &&
      now - order[this.resolvedHead]!.resolvedAt >= this.resolvedKeptMs
    ) {
      const { conversation, resolvedAt } = order[this.resolvedHead++]!;
      const id = conversation.arrival.conversationId;
      // Reopened since (and maybe resolved again: a later entry stands for it), or already gone.
      if (conversation.state !== 'resolved' || conversation.resolvedAt !== resolvedAt) continue;
      if (this.conversations.get(id) === conversation) this.conversations.delete(id);
    }
    if (this.resolvedHead > 1024 && this.resolvedHead * 2 > order.length) {
      this.resolvedOrder = order.slice(this.resolvedHead);
      this.resolvedHead = 0;
    }
    for (const [customerId, served] of this.affinity) {
      if (now - served.servedAt < AFFINITY_KEPT_MS) break;
      this.affinity.delete(customerId);
    }
  }

  /** When `advance()` next has something to do. */
  nextDeadline(): number | undefined {
    return this.timers.peek()?.at;
  }

  takeEffects(): RoutingEffect[] {
    const effects = this.effects;
    this.effects = [];
    return effects;
  }

  takeChanges(): RoutingChanges {
    const changes: RoutingChanges = {
      conversations: [...this.changedConversations].map((c) => this.snapshotOf(c)),
      agents: [...this.changedAgents]
        .filter((a) => this.agents.get(a.config.agentId) === a)
        .map((a) => this.runtimeOf(a)),
      customers: this.changedAffinity,
      botChannels: this.botChannelsChanged ? this.botChannelList() : null,
    };
    this.botChannelsChanged = false;
    this.changedConversations = new Set();
    this.changedAgents = new Set();
    this.changedAffinity = [];
    return changes;
  }

  /**
   * Forgets the rows changed since the last call without building them: for a caller that keeps
   * no rows (the staffing planner's simulation). Decisions do not depend on it; `takeChanges` is
   * the same bookkeeping plus the snapshots.
   */
  discardChanges(): void {
    this.botChannelsChanged = false;
    this.changedConversations.clear();
    this.changedAgents.clear();
    this.changedAffinity = [];
  }

  // ─── Reading ─────────────────────────────────────────────────────────────────────────────

  conversation(conversationId: string): ConversationSnapshot | undefined {
    const c = this.conversations.get(conversationId);
    return c && this.snapshotOf(c);
  }

  agent(agentId: string):
    | (AgentRuntimeSnapshot & {
        load: number;
        capacity: number;
        loadByChannel: Partial<Record<Channel, number>>;
      })
    | undefined {
    const a = this.agents.get(agentId);
    if (!a) return undefined;
    const loadByChannel: Partial<Record<Channel, number>> = {};
    CHANNELS.forEach((c, i) => {
      if (a.loadByChannel[i]! > 0) loadByChannel[c] = a.loadByChannel[i]!;
    });
    return { ...this.runtimeOf(a), load: a.load, capacity: a.capacity, loadByChannel };
  }

  agentIds(): string[] {
    return [...this.agents.keys()];
  }

  /** What the engine holds in memory: conversations (resolved ones within `resolvedKeptMs`) and customers' last services. */
  heldInMemory(): { conversations: number; customers: number } {
    return { conversations: this.conversations.size, customers: this.affinity.size };
  }

  /** The step a waiting conversation is at now (index into its queue's steps; steps.length: any agent). */
  currentStep(conversationId: string): number | null {
    const c = this.conversations.get(conversationId);
    if (!c || c.state !== 'waiting') return null;
    return this.stepOf(this.queueOf(c), c.arrivedAt);
  }

  /** Can this agent take this waiting conversation now? (For invariant checks from outside.) */
  couldTake(agentId: string, conversationId: string): boolean {
    const agent = this.agents.get(agentId);
    const c = this.conversations.get(conversationId);
    if (!agent || !c || c.state !== 'waiting' || c.declined.has(agentId)) return false;
    if (c.reservation && c.reservation.agentId !== agentId) return false;
    if (!this.available(agent, c.arrival.channel)) return false;
    if (c.reservation) return true;
    const queue = this.queueOf(c);
    return queue.pools[this.stepOf(queue, c.arrivedAt)]!.eligible.has(agent);
  }

  /** By queue (null: the default queue): how many conversations wait, and when the oldest entered it. */
  waitingByQueue(): Map<string | null, { waiting: number; oldestArrivedAt: number }> {
    const byQueue = new Map<string | null, { waiting: number; oldestArrivedAt: number }>();
    for (const c of this.conversations.values()) {
      if (c.state !== 'waiting') continue;
      const queueId = c.queueKey === DEFAULT_QUEUE ? null : c.queueKey;
      const entry = byQueue.get(queueId);
      if (entry === undefined) byQueue.set(queueId, { waiting: 1, oldestArrivedAt: c.arrivedAt });
      else {
        entry.waiting += 1;
        entry.oldestArrivedAt = Math.min(entry.oldestArrivedAt, c.arrivedAt);
      }
    }
    return byQueue;
  }

  waitingCount(): number {
    let n = 0;
    for (const c of this.conversations.values()) if (c.state === 'waiting') n++;
    return n;
  }

  /** Internal consistency, for tests and the simulation: an empty list when every invariant holds. */
  checkInvariants(): string[] {
    const problems: string[] = [];
    const holders = new Map<string, string>();
    for (const agent of this.agents.values()) {
      let load = 0;
      const byChannel = CHANNELS.map(() => 0);
      for (const c of agent.held) {
        load++;
        byChannel[CHANNEL_INDEX.get(c.arrival.channel)!]!++;
        const other = holders.get(c.arrival.conversationId);
        if (other) problems.push(`${c.arrival.conversationId} held by ${other} and ${agent.config.agentId}`);
        holders.set(c.arrival.conversationId, agent.config.agentId);
        if (c.agent !== agent)
          problems.push(`${c.arrival.conversationId} held by ${agent.config.agentId} but points elsewhere`);
      }
      if (load !== agent.load) problems.push(`${agent.config.agentId}: load ${agent.load} but holds ${load}`);
      if (agent.load > agent.capacity)
        problems.push(`${agent.config.agentId}: load ${agent.load} > capacity ${agent.capacity}`);
      byChannel.forEach((n, i) => {
        if (n > agent.capacityByChannel[i]!)
          problems.push(`${agent.config.agentId}: ${CHANNELS[i]} load ${n} > ${agent.capacityByChannel[i]}`);
      });
    }
    for (const queue of this.queues.values()) {
      for (const pool of queue.pools) {
        for (const [channel, heap] of pool.heaps) {
          for (const agent of heap.values()) {
            if (this.agents.get(agent.config.agentId) !== agent || !this.available(agent, channel)) {
              problems.push(
                `${agent.config.agentId} sits in a ${channel} pool of ${queue.config.name} but cannot take`,
              );
            }
          }
        }
      }
    }
    for (const c of this.conversations.values()) {
      if (c.agent && this.agents.get(c.agent.config.agentId) !== c.agent) {
        problems.push(`${c.arrival.conversationId} held by ${c.agent.config.agentId}, who is gone`);
      }
      if (c.state !== 'waiting') continue;
      for (const agent of this.agents.values()) {
        if (this.couldTake(agent.config.agentId, c.arrival.conversationId)) {
          problems.push(`${c.arrival.conversationId} waits while ${agent.config.agentId} could take it`);
          break;
        }
      }
    }
    return problems;
  }

  // ─── Decisions ───────────────────────────────────────────────────────────────────────────

  /** Puts a waiting conversation where it belongs: with an agent now, or in a line (or reservation). */
  private place(conversation: ConversationStateRecord): void {
    conversation.state = 'waiting';
    this.changedConversations.add(conversation);
    const reservation = conversation.reservation;
    const now = this.clock();
    if (reservation && reservation.until > now) {
      const agent = this.agents.get(reservation.agentId);
      if (agent && !conversation.declined.has(reservation.agentId)) {
        if (this.available(agent, conversation.arrival.channel)) {
          this.decideReserved(conversation, agent);
          return;
        }
        agent.reserved.add(conversation);
        this.timers.push({
          at: reservation.until,
          kind: 'reservation',
          id: conversation.arrival.conversationId,
          version: conversation.version,
        });
        return;
      }
    }
    conversation.reservation = null;
    if (this.decideForConversation(conversation)) return;
    this.park(conversation);
  }

  private decideReserved(conversation: ConversationStateRecord, agent: AgentState): void {
    const reservation = conversation.reservation!;
    const queue = this.queueOf(conversation);
    const now = this.clock();
    const candidate = this.candidateOf(agent, true);
    let explanation: Explanation;
    let mode: 'assign' | 'offer';
    if (reservation.kind === 'transfer') {
      explanation = {
        step: null,
        reason: conversation.explanation?.reason ?? `transferred to ${agent.config.agentId}`,
        candidates: [candidate],
      };
      mode = 'assign';
    } else {
      const served = this.affinity.get(conversation.arrival.customerId);
      const ago = served ? Math.round((now - served.servedAt) / 1000) : 0;
      const step = this.stepOf(queue, conversation.arrivedAt);
      explanation = {
        step: this.stepInfo(queue, step),
        reason: `preferred agent: ${agent.config.agentId} last served this customer ${ago} s ago and has free ${conversation.arrival.channel} capacity (${agent.load}/${agent.capacity})`,
        candidates: [candidate],
      };
      mode = queue.config.mode === 'offer' ? 'offer' : 'assign';
    }
    conversation.reservation = null;
    this.assign(conversation, agent, mode, explanation);
  }

  /**
   * Conversation-side decision: the best available agent eligible at the conversation's step.
   * Steps are rings around the queue's ideal agent, so the narrowest ring that has someone wins
   * (an agent who also matches an earlier, stricter step is the closer match); within it, the
   * lowest occupancy, then the longest idle.
   */
  private decideForConversation(conversation: ConversationStateRecord): boolean {
    this.syncPools();
    const queue = this.queueOf(conversation);
    const step = this.stepOf(queue, conversation.arrivedAt);
    const pool = queue.pools[step]!;
    const channel = conversation.arrival.channel;
    const heap = this.heapOf(pool, channel);
    if (heap.size === 0) return false;
    const declined = conversation.declined;
    const wanted = this.runnersUp + 1;
    // [agent, ring] ranked: the winner's ring first, then wider ones, to fill the explanation.
    const shown: { agent: AgentState; ring: number }[] = [];
    const seen = new Set<AgentState>();
    for (let ring = 0; ring <= step && shown.length < wanted; ring++) {
      const ranked = this.rankedAt(queue.pools[ring]!, pool, channel, declined, wanted - shown.length, seen);
      for (const agent of ranked) {
        seen.add(agent);
        shown.push({ agent, ring });
      }
    }
    const ahead = shown[0] && this.balanceAhead(queue, step, channel, declined, shown[0].agent);
    if (ahead) {
      this.assign(conversation, ahead.agent, queue.config.mode === 'offer' ? 'offer' : 'assign', {
        step: this.stepInfo(queue, step),
        reason:
          `balance: ${ahead.agent.config.agentId} matches the next step (${step + 1}: ${queue.pools[step + 1]!.expression.source}), ` +
          `has free ${channel} capacity (${ahead.agent.load}/${ahead.agent.capacity}) and has carried ${ahead.lessMinutes} min less load ` +
          `than the closest match, ${shown[0]!.agent.config.agentId} (${shown[0]!.agent.load}/${shown[0]!.agent.capacity})`,
        candidates: [
          this.candidateOf(ahead.agent, false),
          {
            ...this.candidateOf(shown[0]!.agent, false),
            rejectedBecause: `carried ${ahead.lessMinutes} min more load than ${ahead.agent.config.agentId}`,
          },
        ],
      });
      return true;
    }
    const first = shown[0];
    if (!first) return false;
    const winner = first.agent;
    const candidates = shown.map(({ agent, ring }, i) => {
      const candidate = this.candidateOf(agent, false);
      if (i > 0)
        candidate.rejectedBecause =
          ring > first.ring
            ? `a wider match (from step ${ring}: ${queue.pools[ring]!.expression.source})`
            : rejectionOf(agent, winner);
      return candidate;
    });
    const tie =
      shown.length > 1 &&
      shown[1]!.ring === first.ring &&
      shown[1]!.agent.keyOccupancy === winner.keyOccupancy;
    const available =
      heap.size -
      (declined.size > 0 ? [...declined].filter((id) => heap.has(this.agents.get(id)!)).length : 0);
    const closest =
      first.ring < step
        ? `${winner.config.agentId} matches the closest step (${first.ring}: ${queue.pools[first.ring]!.expression.source}) and, of those, has the lowest occupancy`
        : `${winner.config.agentId} has the lowest occupancy`;
    const explanation: Explanation = {
      step: this.stepInfo(queue, step),
      reason:
        `${available} agent(s) eligible at step ${step} with free ${channel} capacity; ` +
        `${closest} (${winner.load}/${winner.capacity})` +
        (tie
          ? winner.load === 0
            ? `, and of those tied, has been idle longest`
            : `, and of those tied, has carried the least load so far`
          : ''),
      candidates,
    };
    this.assign(conversation, winner, queue.config.mode === 'offer' ? 'offer' : 'assign', explanation);
    return true;
  }

  /**
   * Balance across skills: an agent of the queue's next step (not the catch-all) who is less
   * occupied now than the closest match and has carried at least the margin less load so far
   * takes the conversation ahead of the step. Steps alone leave a small skill's experts idling
   * beside a large skill's busy ones; this moves just enough work across to keep them level, and
   * stops once they are.
   */
  private balanceAhead(
    queue: QueueState,
    step: number,
    channel: Channel,
    declined: ReadonlySet<string>,
    closest: AgentState,
  ): { agent: AgentState; lessMinutes: number } | undefined {
    if (!Number.isFinite(this.balanceMarginMs) || step + 1 >= queue.pools.length - 1) return undefined;
    const current = queue.pools[step]!;
    const now = this.clock();
    const carried = (a: AgentState) => a.worked + (now - a.workedSince) * a.workRate;
    const bar = carried(closest) - this.balanceMarginMs;
    let best: AgentState | undefined;
    // Those less occupied than the closest match lead the next step's heap (occupancy first), so
    // a short walk of its top finds them without scanning a large pool on every decision.
    for (const agent of this.heapOf(queue.pools[step + 1]!, channel).top(BALANCE_LOOKAHEAD + declined.size)) {
      if (agent.keyOccupancy >= closest.keyOccupancy) break;
      if (current.eligible.has(agent) || declined.has(agent.config.agentId) || carried(agent) > bar) continue;
      if (!best || carried(agent) < carried(best)) best = agent;
    }
    return best && { agent: best, lessMinutes: Math.round((carried(closest) - carried(best)) / 60_000) };
  }

  /**
   * Up to `count` available agents of `ring`'s pool who are also eligible at the conversation's
   * current step (`at`) and did not decline it, best first. Rings are usually nested (each step
   * wider than the last), so the heap's top is nearly always the answer.
   */
  private rankedAt(
    ring: Pool,
    at: Pool,
    channel: Channel,
    declined: ReadonlySet<string>,
    count: number,
    seen: ReadonlySet<AgentState>,
  ): AgentState[] {
    const heap = this.heapOf(ring, channel);
    if (heap.size === 0) return [];
    const fits = (a: AgentState) =>
      !seen.has(a) && !declined.has(a.config.agentId) && (ring === at || at.eligible.has(a));
    const top = heap.top(count + declined.size + seen.size);
    const ranked = top.filter(fits);
    if (ranked.length >= count || top.length === heap.size) return ranked.slice(0, count);
    return heap
      .values()
      .filter(fits)
      .sort((a, b) => (lessAgent(a, b) ? -1 : 1))
      .slice(0, count);
  }

  /**
   * Agent-side decision, when an agent can take more: their reserved conversations first, then the
   * head of the highest-priority queue they serve — within a queue, higher priority first, then
   * the longest waiting they are eligible for.
   */
  private drain(agent: AgentState): void {
    while (this.agents.get(agent.config.agentId) === agent && this.canTakeAny(agent)) {
      if (agent.reserved.size > 0) {
        let taken = false;
        for (const conversation of [...agent.reserved].sort(byArrival)) {
          if (!this.available(agent, conversation.arrival.channel)) continue;
          agent.reserved.delete(conversation);
          conversation.version++;
          this.decideReserved(conversation, agent);
          taken = true;
          break;
        }
        if (taken) continue;
      }
      const found = this.oldestFor(agent);
      if (!found) return;
      const { conversation, queue, step, ring } = found;
      this.unpark(conversation);
      const waited = Math.round((this.clock() - conversation.arrivedAt) / 1000);
      const explanation: Explanation = {
        step: this.stepInfo(queue, step),
        reason:
          `${agent.config.agentId} had free ${conversation.arrival.channel} capacity (${agent.load}/${agent.capacity}); ` +
          `this conversation had waited longest (${waited} s) in queue ${queue.config.name} at priority ` +
          `${conversation.priority} among those eligible for them at step ${step}` +
          (ring > 0 ? '' : `, in a queue whose first step they match (${queue.pools[0]!.expression.source})`),
        candidates: [this.candidateOf(agent, false)],
      };
      this.assign(conversation, agent, queue.config.mode === 'offer' ? 'offer' : 'assign', explanation);
    }
  }

  /**
   * The conversation an agent with room takes: highest queue priority first, then the
   * conversation's own priority, then the queue the agent matches most closely (the earliest
   * step whose expression they meet: their ring), then the longest waiting. Within one queue the
   * ring is the same for every conversation the agent may take, so first come, first served holds.
   */
  private oldestFor(
    agent: AgentState,
  ): { conversation: ConversationStateRecord; queue: QueueState; step: number; ring: number } | undefined {
    const now = this.clock();
    let best:
      { conversation: ConversationStateRecord; queue: QueueState; step: number; ring: number } | undefined;
    let bestQueuePriority = Number.NEGATIVE_INFINITY;
    for (const queue of agent.queueOrder) {
      if (best && queue.config.priority < bestQueuePriority) break;
      const ring = queue.pools.findIndex((pool) => pool.eligible.has(agent));
      if (ring < 0) continue;
      for (const group of queue.lines) {
        if (
          best &&
          best.queue.config.priority === queue.config.priority &&
          group.priority < best.conversation.priority
        )
          break;
        for (const [channel, line] of group.byChannel) {
          if (line.length === 0 || !this.available(agent, channel)) continue;
          const found = this.oldestInLine(agent, queue, line, now);
          if (!found) continue;
          const { conversation } = found;
          if (
            !best ||
            queue.config.priority > best.queue.config.priority ||
            (queue.config.priority === best.queue.config.priority &&
              (conversation.priority > best.conversation.priority ||
                (conversation.priority === best.conversation.priority &&
                  (ring < best.ring ||
                    (ring === best.ring && byArrival(conversation, best.conversation) < 0)))))
          ) {
            best = { conversation, queue, step: found.step, ring };
            bestQueuePriority = queue.config.priority;
          }
        }
      }
    }
    return best;
  }

  /** Walks the line's step segments from the widest (oldest) to the narrowest. */
  private oldestInLine(
    agent: AgentState,
    queue: QueueState,
    line: WaitingLine,
    now: number,
  ): { conversation: ConversationStateRecord; step: number } | undefined {
    const thresholds = queue.thresholds;
    const agentId = agent.config.agentId;
    for (let step = thresholds.length - 1; step >= 0; step--) {
      const since = thresholds[step]!;
      if (since === Number.POSITIVE_INFINITY) continue;
      if (!queue.pools[step]!.eligible.has(agent)) continue;
      const until = step + 1 < thresholds.length ? thresholds[step + 1]! : Number.POSITIVE_INFINITY;
      // Entries at exactly this step arrived in (now - until, now - since].
      let index = until === Number.POSITIVE_INFINITY ? line.start : line.firstAfter(now - until);
      const latest = now - since;
      for (; index < line.end; index++) {
        const entry = line.at(index)!;
        if (entry.arrivedAt > latest) break;
        if (entry.removed) continue;
        const conversation = this.conversations.get(entry.conversationId)!;
        if (conversation.declined.has(agentId)) continue;
        return { conversation, step };
      }
    }
    return undefined;
  }

  /** Its step widened: more agents may take it now. It keeps its place in the line if none can. */
  private stepExpired(conversation: ConversationStateRecord): void {
    const { entry, line } = conversation;
    if (this.decideForConversation(conversation)) {
      if (entry && line) line.remove(entry);
      conversation.entry = null;
      conversation.line = null;
      return;
    }
    this.scheduleStep(conversation, this.queueOf(conversation));
  }

  private offerTimedOut(conversation: ConversationStateRecord): void {
    const agent = conversation.agent!;
    const queue = this.queueOf(conversation);
    this.release(conversation, 'offer_timeout');
    this.decline(conversation, agent.config.agentId);
    conversation.version++;
    agent.missedOffers++;
    this.changedAgents.add(agent);
    if (agent.missedOffers >= queue.config.maxMissedOffers && agent.presence === 'online') {
      const at = this.clock();
      agent.presenceChangedAt = at;
      this.applyPresence(agent, 'away', at);
      this.effects.push({
        kind: 'presence',
        agentId: agent.config.agentId,
        presence: 'away',
        reason: 'offer_timeouts',
        at,
      });
    }
    this.place(conversation);
    this.drain(agent);
  }

  private assign(
    conversation: ConversationStateRecord,
    agent: AgentState,
    mode: 'assign' | 'offer',
    explanation: Explanation,
  ): void {
    const now = this.clock();
    const handoff = conversation.handoff;
    if (handoff && handoff.reason !== 'taken_over' && conversation.decidedAt === null) {
      // The first decision since the bot let go says why the bot did, beside the transcript.
      explanation = { ...explanation, reason: `${handoffReasonText(handoff.reason)}. ${explanation.reason}` };
    }
    this.hold(conversation, agent);
    conversation.state = mode === 'offer' ? 'offered' : 'assigned';
    conversation.explanation = explanation;
    conversation.decidedAt = now;
    conversation.answered = false;
    conversation.version++;
    agent.lastAssignedAt = now;
    this.changedConversations.add(conversation);
    this.changedAgents.add(agent);
    if (mode === 'offer') {
      const timeout = this.queueOf(conversation).config.offerTimeoutSeconds * 1000;
      conversation.offerDeadline = now + timeout;
      this.timers.push({
        at: conversation.offerDeadline,
        kind: 'offer',
        id: conversation.arrival.conversationId,
        version: conversation.version,
      });
    } else {
      this.recordService(conversation, agent, now);
    }
    this.effects.push({
      kind: 'assigned',
      conversationId: conversation.arrival.conversationId,
      queueId: conversation.queueKey === DEFAULT_QUEUE ? null : conversation.queueKey,
      agentId: agent.config.agentId,
      mode,
      at: now,
      explanation,
    });
  }

  private accept(conversation: ConversationStateRecord): void {
    const now = this.clock();
    const agent = conversation.agent!;
    conversation.state = 'assigned';
    conversation.offerDeadline = null;
    conversation.decidedAt = now;
    conversation.version++;
    this.changedConversations.add(conversation);
    this.recordService(conversation, agent, now);
    this.effects.push({
      kind: 'assigned',
      conversationId: conversation.arrival.conversationId,
      queueId: conversation.queueKey === DEFAULT_QUEUE ? null : conversation.queueKey,
      agentId: agent.config.agentId,
      mode: 'assign',
      at: now,
      explanation: conversation.explanation ?? { step: null, reason: 'offer accepted', candidates: [] },
    });
  }

  private decline(conversation: ConversationStateRecord, agentId: string): void {
    if (conversation.declined === NONE_DECLINED) conversation.declined = new Set();
    conversation.declined.add(agentId);
  }

  private recordService(conversation: ConversationStateRecord, agent: AgentState, now: number): void {
    conversation.assignedAt ??= now;
    const affinity = {
      customerId: conversation.arrival.customerId,
      agentId: agent.config.agentId,
      servedAt: now,
    };
    // Deleted first, so the map stays in order of service (`forgetOld` reads it from the front).
    this.affinity.delete(affinity.customerId);
    this.affinity.set(affinity.customerId, affinity);
    this.changedAffinity.push(affinity);
  }

  private reservePreferred(conversation: ConversationStateRecord, queue: QueueState): void {
    const preference = queue.config.preferredAgent;
    if (!preference) return;
    const served = this.affinity.get(conversation.arrival.customerId);
    const now = this.clock();
    if (!served || now - served.servedAt > preference.windowHours * 3_600_000) return;
    const agent = this.agents.get(served.agentId);
    if (!agent || agent.presence !== 'online' || agent.graceUntil !== null) return;
    const step = this.stepOf(queue, conversation.arrivedAt);
    if (!queue.pools[step]!.eligible.has(agent)) return;
    const waitMs = this.available(agent, conversation.arrival.channel) ? 1 : preference.waitSeconds * 1000;
    if (waitMs <= 0) return;
    conversation.reservation = { agentId: agent.config.agentId, until: now + waitMs, kind: 'preferred' };
  }

  /**
   * Takes a conversation from the bot into routing: its queue (or the one it was sent to) as a
   * new arrival now, or the agent who took it over (who gets it as a transfer: at once with room,
   * else after `transferWaitMs` its queue routes it).
   */
  private leaveBot(
    conversation: ConversationStateRecord,
    reason: BotReleaseReason,
    to: { agentId: string } | { queueId: string } | null,
    by: string | null,
  ): void {
    const now = this.clock();
    const agentId = to && 'agentId' in to && this.agents.has(to.agentId) ? to.agentId : null;
    const named = to && 'queueId' in to ? this.queues.get(to.queueId) : undefined;
    const queue = named && named.key !== DEFAULT_QUEUE ? named : this.chooseQueue(conversation.arrival);
    conversation.botDeadline = null;
    conversation.handoff = { reason, at: now };
    conversation.queueKey = queue.key;
    conversation.arrivedAt = now;
    conversation.seq = ++this.seq;
    conversation.declined = NONE_DECLINED;
    conversation.assignedAt = null;
    conversation.decidedAt = null;
    conversation.version++;
    conversation.reservation =
      agentId === null ? null : { agentId, until: now + this.transferWaitMs, kind: 'transfer' };
    conversation.explanation =
      agentId === null
        ? null
        : { step: null, reason: `taken over from the bot by ${by ?? agentId}`, candidates: [] };
    this.changedConversations.add(conversation);
    this.effects.push({
      kind: 'bot_released',
      conversationId: conversation.arrival.conversationId,
      customerId: conversation.arrival.customerId,
      channel: conversation.arrival.channel,
      reason,
      agentId,
      at: now,
    });
    if (agentId === null) this.reservePreferred(conversation, queue);
    this.place(conversation);
  }

  private armBotDeadline(conversation: ConversationStateRecord): void {
    this.timers.push({
      at: conversation.botDeadline!,
      kind: 'bot',
      id: conversation.arrival.conversationId,
      version: conversation.version,
    });
  }

  // ─── Holding and releasing ───────────────────────────────────────────────────────────────

  private hold(conversation: ConversationStateRecord, agent: AgentState): void {
    conversation.agent = agent;
    agent.held.add(conversation);
    agent.load++;
    agent.loadByChannel[CHANNEL_INDEX.get(conversation.arrival.channel)!]!++;
    agent.idleSince = null;
    this.markAgent(agent);
  }

  private release(conversation: ConversationStateRecord, reason: UnassignReason | null): void {
    const agent = conversation.agent!;
    agent.held.delete(conversation);
    agent.load--;
    agent.loadByChannel[CHANNEL_INDEX.get(conversation.arrival.channel)!]!--;
    if (agent.load === 0) agent.idleSince = this.clock();
    conversation.agent = null;
    conversation.offerDeadline = null;
    this.markAgent(agent);
    this.changedConversations.add(conversation);
    if (reason) {
      this.effects.push({
        kind: 'unassigned',
        conversationId: conversation.arrival.conversationId,
        queueId: conversation.queueKey === DEFAULT_QUEUE ? null : conversation.queueKey,
        agentId: agent.config.agentId,
        reason,
        at: this.clock(),
      });
    }
  }

  /** Takes a conversation out of wherever it is (agent, line, reservation), ready to be placed again. */
  private detach(conversation: ConversationStateRecord, reason: UnassignReason): void {
    this.unpark(conversation);
    const agent = conversation.agent;
    if (agent) {
      this.release(conversation, reason);
      this.drain(agent);
    }
  }

  private returnConversations(
    agent: AgentState,
    reason: UnassignReason,
    which: (c: ConversationStateRecord) => boolean,
  ): void {
    const returned = [...agent.held].filter(which).sort(byArrival);
    for (const conversation of returned) {
      this.release(conversation, reason);
      conversation.version++;
    }
    for (const conversation of returned) this.place(conversation);
  }

  private applyPresence(agent: AgentState, presence: Presence, changedAt: number): void {
    const wasGrace = agent.graceUntil !== null;
    agent.graceUntil = null;
    agent.presenceChangedAt = Math.max(agent.presenceChangedAt, changedAt);
    agent.version++;
    this.changedAgents.add(agent);
    if (agent.presence === presence && !wasGrace) return;
    agent.presence = presence;
    if (presence !== 'online') agent.missedOffers = 0;
    agent.idleSince = presence === 'online' && agent.load === 0 ? this.clock() : null;
    if (presence === 'online') this.catchUp(agent);
    this.markAgent(agent);
    this.syncPools();
    if (presence === 'online') {
      this.drain(agent);
      return;
    }
    // Unanswered conversations go back to the head of their queue (they keep their arrival time).
    this.returnConversations(
      agent,
      presence === 'away' ? 'agent_away' : 'agent_offline',
      (c) => c.state === 'offered' || !c.answered,
    );
    for (const conversation of [...agent.reserved]) {
      agent.reserved.delete(conversation);
      conversation.reservation = null;
      conversation.version++;
      this.place(conversation);
    }
  }

  // ─── Lines ───────────────────────────────────────────────────────────────────────────────

  /** Adds a waiting conversation to its line and sets the timer for its next step. */
  private park(conversation: ConversationStateRecord): void {
    if (conversation.reservation) {
      const agent = this.agents.get(conversation.reservation.agentId);
      if (agent) {
        agent.reserved.add(conversation);
        this.timers.push({
          at: conversation.reservation.until,
          kind: 'reservation',
          id: conversation.arrival.conversationId,
          version: conversation.version,
        });
        return;
      }
      conversation.reservation = null;
    }
    const queue = this.queueOf(conversation);
    let group = queue.lines.find((g) => g.priority === conversation.priority);
    if (!group) {
      group = { priority: conversation.priority, byChannel: new Map() };
      queue.lines.push(group);
      queue.lines.sort((a, b) => b.priority - a.priority);
    }
    let line = group.byChannel.get(conversation.arrival.channel);
    if (!line) group.byChannel.set(conversation.arrival.channel, (line = new WaitingLine()));
    const entry: LineEntry = {
      conversationId: conversation.arrival.conversationId,
      arrivedAt: conversation.arrivedAt,
      seq: conversation.seq,
      removed: false,
    };
    line.add(entry);
    conversation.entry = entry;
    conversation.line = line;
    this.scheduleStep(conversation, queue);
  }

  private scheduleStep(conversation: ConversationStateRecord, queue: QueueState): void {
    const step = this.stepOf(queue, conversation.arrivedAt);
    const next = queue.thresholds[step + 1];
    if (next !== undefined && next !== Number.POSITIVE_INFINITY) {
      this.timers.push({
        at: conversation.arrivedAt + next,
        kind: 'step',
        id: conversation.arrival.conversationId,
        version: conversation.version,
      });
    }
  }

  private unpark(conversation: ConversationStateRecord): void {
    if (conversation.entry && conversation.line) conversation.line.remove(conversation.entry);
    conversation.entry = null;
    conversation.line = null;
    if (conversation.reservation)
      this.agents.get(conversation.reservation.agentId)?.reserved.delete(conversation);
  }

  private takeWaiting(queue: QueueState): ConversationStateRecord[] {
    const waiting: ConversationStateRecord[] = [];
    for (const group of queue.lines) {
      for (const line of group.byChannel.values()) {
        for (const entry of line.living()) waiting.push(this.conversations.get(entry.conversationId)!);
      }
    }
    for (const conversation of waiting) this.unpark(conversation);
    return waiting.sort(byArrival);
  }

  // ─── Queues and pools ────────────────────────────────────────────────────────────────────

  private installQueue(config: QueueConfig): QueueState {
    const expressions = config.steps.map((s) => parseEligibilityExpression(s.expression));
    expressions.push(ANY_AGENT);
    const thresholds: number[] = [0];
    for (const step of config.steps) {
      const last = thresholds[thresholds.length - 1]!;
      thresholds.push(
        step.expiresAfterSeconds === null ? Number.POSITIVE_INFINITY : last + step.expiresAfterSeconds * 1000,
      );
    }
    const existing = this.queues.get(config.id);
    const queue: QueueState = existing ?? { config, key: config.id, pools: [], thresholds, lines: [] };
    queue.config = config;
    queue.thresholds = thresholds;
    queue.pools = expressions.map((expression, step) => ({
      queue,
      step,
      expression,
      eligible: new Set(),
      heaps: new Map(),
    }));
    this.queues.set(config.id, queue);
    return queue;
  }

  private rebuildQueueOrder(): void {
    this.queueOrder = [...this.queues.values()].sort(
      (a, b) =>
        b.config.priority - a.config.priority ||
        a.config.createdAt - b.config.createdAt ||
        (a.key < b.key ? -1 : 1),
    );
  }

  private chooseQueue(arrival: ConversationArrival): QueueState {
    const named = arrival.hints.queue?.trim();
    if (named) {
      const byId = this.queues.get(named);
      if (byId && byId.key !== DEFAULT_QUEUE) return byId;
      const lower = named.toLowerCase();
      const byName = this.queueOrder.find(
        (q) => q.key !== DEFAULT_QUEUE && q.config.name.toLowerCase() === lower,
      );
      if (byName) return byName;
    }
    for (const queue of this.queueOrder) {
      if (queue.key === DEFAULT_QUEUE || queue.config.entry.namedOnly) continue;
      if (entryMatches(queue.config.entry, arrival)) return queue;
    }
    return this.queues.get(DEFAULT_QUEUE)!;
  }

  private queueOf(conversation: ConversationStateRecord): QueueState {
    return this.queues.get(conversation.queueKey) ?? this.queues.get(DEFAULT_QUEUE)!;
  }

  private stepOf(queue: QueueState, arrivedAt: number): number {
    const now = this.clock();
    const thresholds = queue.thresholds;
    let step = 0;
    // The same sum the step timer fires at: with fractional times, `now - arrivedAt` could round
    // below it and the timer fire for ever without the step moving on.
    while (step + 1 < thresholds.length && arrivedAt + thresholds[step + 1]! <= now) step++;
    return step;
  }

  private stepInfo(queue: QueueState, step: number): Explanation['step'] {
    return { index: step, expression: queue.pools[step]!.expression.source };
  }

  private heapOf(pool: Pool, channel: Channel): IndexedHeap<AgentState> {
    let heap = pool.heaps.get(channel);
    if (!heap) {
      heap = new IndexedHeap(lessAgent);
      pool.heaps.set(channel, heap);
      for (const agent of pool.eligible) if (this.available(agent, channel)) heap.upsert(agent);
    }
    return heap;
  }

  private installAgent(config: AgentConfig): AgentState {
    const now = this.clock();
    const agent: AgentState = {
      config,
      skills: new Map(),
      capacity: 0,
      capacityByChannel: [],
      load: 0,
      loadByChannel: CHANNELS.map(() => 0),
      held: new Set(),
      presence: 'offline',
      presenceChangedAt: Number.NEGATIVE_INFINITY,
      graceUntil: null,
      idleSince: null,
      lastAssignedAt: null,
      missedOffers: 0,
      version: 0,
      pools: [],
      queueOrder: [],
      reserved: new Set(),
      worked: 0,
      workedSince: now,
      workRate: 0,
      keyOccupancy: 0,
      keyIdle: now,
    };
    this.applyAgentConfig(agent);
    this.agents.set(config.agentId, agent);
    this.computeMemberships(agent);
    return agent;
  }

  private applyAgentConfig(agent: AgentState): void {
    const config = agent.config;
    agent.skills = new Map(config.skills.map((s) => [s.skill, s.proficiency]));
    agent.capacityByChannel = CHANNELS.map((c) => config.channelCapacity[c] ?? config.defaultChannelCapacity);
    const sum = agent.capacityByChannel.reduce((a, b) => a + b, 0);
    agent.capacity = config.maxConcurrent === null ? sum : Math.min(config.maxConcurrent, sum);
  }

  private computeMemberships(agent: AgentState): void {
    for (const pool of agent.pools) this.leavePool(agent, pool);
    agent.pools = [];
    agent.queueOrder = [];
    const served = agent.config.queueIds;
    for (const queue of this.queueOrder) {
      if (queue.key !== DEFAULT_QUEUE && served.length > 0 && !served.includes(queue.key)) continue;
      agent.queueOrder.push(queue);
      for (const pool of queue.pools) {
        if (!pool.expression.matches(agent.skills)) continue;
        pool.eligible.add(agent);
        agent.pools.push(pool);
      }
    }
    this.markAgent(agent);
  }

  private leavePool(agent: AgentState, pool: Pool): void {
    pool.eligible.delete(agent);
    for (const heap of pool.heaps.values()) heap.remove(agent);
  }

  /** Every available agent takes what they can: restores the invariants after a configuration change. */
  private rebalance(): void {
    const agents = [...this.agents.values()].filter((a) => this.canTakeAny(a)).sort(lessAgentOrder);
    for (const agent of agents) this.drain(agent);
    this.syncPools();
  }

  // ─── Availability ────────────────────────────────────────────────────────────────────────

  private available(agent: AgentState, channel: Channel): boolean {
    const c = CHANNEL_INDEX.get(channel)!;
    return (
      agent.presence === 'online' &&
      agent.graceUntil === null &&
      agent.load < agent.capacity &&
      agent.loadByChannel[c]! < agent.capacityByChannel[c]!
    );
  }

  private canTakeAny(agent: AgentState): boolean {
    return agent.presence === 'online' && agent.graceUntil === null && agent.load < agent.capacity;
  }

  /**
   * An agent coming online starts level with the agents leading their pools (as a fair scheduler
   * starts a new task at the minimum virtual runtime): not owed the hours they were away.
   */
  private catchUp(agent: AgentState): void {
    const now = this.clock();
    let least = Number.POSITIVE_INFINITY;
    // The agents they will be ranked against lead the heaps of their pools: O(pools), not O(agents).
    for (const pool of agent.pools)
      for (const heap of pool.heaps.values()) {
        const [other] = heap.top(1);
        if (other && other !== agent)
          least = Math.min(least, other.worked + (now - other.workedSince) * other.workRate);
      }
    if (Number.isFinite(least)) {
      agent.worked = Math.max(agent.worked + (now - agent.workedSince) * agent.workRate, least);
      agent.workedSince = now;
    }
  }

  private markAgent(agent: AgentState): void {
    // What the agent carried at the old rate until now; from now on, at the new one.
    const now = this.clock();
    agent.worked += (now - agent.workedSince) * agent.workRate;
    agent.workedSince = now;
    agent.workRate = agent.capacity === 0 ? 0 : agent.load / agent.capacity;
    this.dirtyAgents.add(agent);
    this.changedAgents.add(agent);
  }

  /** Fixes the pool heaps of every agent whose load, presence or config changed. */
  private syncPools(): void {
    if (this.dirtyAgents.size === 0) return;
    for (const agent of this.dirtyAgents) {
      const occupancy = agent.capacity === 0 ? Number.POSITIVE_INFINITY : agent.load / agent.capacity;
      // While the load stays, every agent at this occupancy accrues at the same rate, so the load
      // carried as of one common instant (workedSince → 0) orders them as it would now.
      const idle =
        occupancy > 0 && Number.isFinite(occupancy)
          ? agent.worked - agent.workRate * agent.workedSince
          : (agent.idleSince ?? agent.lastAssignedAt ?? 0);
      const keyChanged = occupancy !== agent.keyOccupancy || idle !== agent.keyIdle;
      if (keyChanged) {
        // Out of every heap before the key changes, so no heap ever holds a stale key.
        for (const pool of agent.pools) for (const heap of pool.heaps.values()) heap.remove(agent);
        agent.keyOccupancy = occupancy;
        agent.keyIdle = idle;
      }
      const any = this.canTakeAny(agent);
      for (const pool of agent.pools) {
        for (const [channel, heap] of pool.heaps) {
          if (any && this.available(agent, channel)) {
            if (keyChanged || !heap.has(agent)) heap.upsert(agent);
          } else heap.remove(agent);
        }
      }
    }
    this.dirtyAgents.clear();
  }

  // ─── Snapshots ───────────────────────────────────────────────────────────────────────────

  private candidateOf(agent: AgentState, preferred: boolean): Candidate {
    return {
      agentId: agent.config.agentId,
      occupancy: agent.capacity === 0 ? 1 : round(agent.load / agent.capacity),
      idleSinceMs: Math.max(0, agent.idleSince ?? agent.lastAssignedAt ?? 0),
      preferred,
    };
  }

  private snapshotOf(c: ConversationStateRecord): ConversationSnapshot {
    const arrival = c.arrival;
    return {
      conversationId: arrival.conversationId,
      customerId: arrival.customerId,
      channel: arrival.channel,
      channelAccountId: arrival.channelAccountId,
      customerAttributes: arrival.customerAttributes,
      hints: arrival.hints,
      state: c.state,
      queueId: c.queueKey === DEFAULT_QUEUE ? null : c.queueKey,
      priority: c.priority,
      agentId: c.agent?.config.agentId ?? null,
      arrivedAt: c.arrivedAt,
      seq: c.seq,
      reservation: c.reservation,
      declined: c.declined.size === 0 ? [] : [...c.declined],
      offerDeadline: c.offerDeadline,
      answered: c.answered,
      explanation: c.explanation,
      decidedAt: c.decidedAt,
      assignedAt: c.assignedAt,
      resolvedAt: c.resolvedAt,
      botDeadline: c.botDeadline,
      handoff: c.handoff,
      resolvedWithBot: c.resolvedWithBot,
    };
  }

  private runtimeOf(a: AgentState): AgentRuntimeSnapshot {
    return {
      agentId: a.config.agentId,
      presence: a.presence,
      presenceChangedAt: Number.isFinite(a.presenceChangedAt) ? a.presenceChangedAt : 0,
      idleSince: a.idleSince,
      lastAssignedAt: a.lastAssignedAt,
      missedOffers: a.missedOffers,
      graceUntil: a.graceUntil,
    };
  }
}

/** Lower occupancy first, then idle longest (idle) or least load carried so far (busy), then id. */
function lessAgent(a: AgentState, b: AgentState): boolean {
  if (a.keyOccupancy !== b.keyOccupancy) return a.keyOccupancy < b.keyOccupancy;
  if (a.keyIdle !== b.keyIdle) return a.keyIdle < b.keyIdle;
  return a.config.agentId < b.config.agentId;
}

function lessAgentOrder(a: AgentState, b: AgentState): number {
  return lessAgent(a, b) ? -1 : 1;
}

function rejectionOf(agent: AgentState, winner: AgentState): string {
  if (agent.keyOccupancy > winner.keyOccupancy) {
    return `higher occupancy (${agent.load}/${agent.capacity} vs ${winner.load}/${winner.capacity})`;
  }
  if (agent.keyIdle > winner.keyIdle)
    return agent.load === 0
      ? 'same occupancy, idle for less time'
      : 'same occupancy, carried more load so far';
  return 'tied; agent id breaks the tie';
}

function byArrival(a: ConversationStateRecord, b: ConversationStateRecord): number {
  return a.arrivedAt - b.arrivedAt || a.seq - b.seq;
}

function entryMatches(rule: QueueConfig['entry'], arrival: ConversationArrival): boolean {
  if (rule.channels && rule.channels.length > 0 && !rule.channels.includes(arrival.channel)) return false;
  if (rule.channelAccountIds && rule.channelAccountIds.length > 0) {
    if (arrival.channelAccountId === null || !rule.channelAccountIds.includes(arrival.channelAccountId))
      return false;
  }
  if (rule.languages && rule.languages.length > 0) {
    const language = arrival.hints.language?.toLowerCase();
    if (!language) return false;
    const primary = language.split('-')[0]!;
    if (!rule.languages.some((l) => l.toLowerCase() === language || l.toLowerCase() === primary))
      return false;
  }
  if (rule.customerAttributes) {
    for (const [key, value] of Object.entries(rule.customerAttributes)) {
      if (arrival.customerAttributes[key] !== value) return false;
    }
  }
  return true;
}

function handoffReasonText(reason: BotReleaseReason): string {
  switch (reason) {
    case 'asked_for_person':
      return 'Handed off by the bot: the customer asked for a person';
    case 'low_confidence':
      return 'Handed off by the bot: no article answered with confidence';
    case 'not_helpful':
      return "Handed off by the bot: its answers didn't help";
    case 'bot_switched_off':
      return 'Handed off: the bot was switched off for this channel';
    case 'bot_timeout':
      return 'Handed off: the bot did not answer in time';
    case 'taken_over':
      return 'Taken over from the bot';
  }
}

function parsePriority(hint: string | undefined): number {
  if (hint === undefined || !/^-?\d{1,3}$/.test(hint.trim())) return 0;
  return Math.max(-100, Math.min(100, Number(hint.trim())));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
