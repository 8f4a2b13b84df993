/* eslint-disable @typescript-eslint/require-await -- async to match the port, not because it waits */
import { randomUUID } from 'node:crypto';
import {
  AlreadyExistsError,
  type AgentInput,
  type AgentPatch,
  type AgentView,
  type ArrivalHistoryView,
  type BotConversationView,
  ConversationAssignedV1,
  FailedPreconditionError,
  type MessageSender,
  NotFoundError,
  type Presence,
  type QueueInput,
  type QueueStatsView,
  type QueueView,
  type RoutingApi,
  type RoutingDecisionView,
  type StaffingPlanInput,
  type StaffingPlanView,
  type TransferTarget,
  patchedAgent,
} from '@switchboard/contracts';
import type { EventBus } from '@switchboard/messaging';
import type { InMemoryHistory } from './in-memory-history.double.js';

/**
 * A test double of RoutingApi, in memory, over the conversations of an `InMemoryHistory` (the
 * ones routing would know of). It keeps the port's contract, as the contract suite
 * (`describeRoutingApiContract`) checks against it and the real service alike: workspace scoping,
 * an agent created once (AlreadyExists after), patches that change only what they name, queue
 * names unique per workspace whatever their case, NotFound for what the workspace lacks. A
 * transfer to an agent assigns at once and, given a bus, emits ConversationAssignedV1.
 */
export class InMemoryRouting implements RoutingApi {
  readonly agents = new Map<string, AgentView>();
  readonly queues = new Map<string, QueueView>();
  readonly presenceCalls: { agentId: string; presence: Presence; reason: string }[] = [];
  readonly transfers: { workspaceId: string; conversationId: string; to: TransferTarget }[] = [];
  readonly plans: { workspaceId: string; input: StaffingPlanInput }[] = [];
  /** Conversations the bot holds, by id: tests put them here (`holdForBot`). */
  readonly botHeld = new Map<string, BotConversationView & { workspaceId: string }>();

  constructor(
    private readonly history: InMemoryHistory,
    public bus?: EventBus,
  ) {}

  async upsertAgent(workspaceId: string, input: AgentInput): Promise<AgentView> {
    const previous = this.agents.get(`${workspaceId}|${input.agentId}`);
    const agent: AgentView = {
      agentId: input.agentId,
      workspaceId,
      displayName: input.displayName,
      skills: input.skills,
      channelCapacity: input.channelCapacity ?? {},
      defaultChannelCapacity: input.defaultChannelCapacity ?? 5,
      maxConcurrent: input.maxConcurrent ?? null,
      queueIds: input.queueIds ?? [],
      presence: previous?.presence ?? 'offline',
      load: previous?.load ?? 0,
      loadByChannel: previous?.loadByChannel ?? {},
      capacity: input.maxConcurrent ?? input.defaultChannelCapacity ?? 5,
      idleSince: null,
      updatedAt: new Date().toISOString(),
    };
    this.agents.set(`${workspaceId}|${input.agentId}`, agent);
    return agent;
  }
  async createAgent(workspaceId: string, input: AgentInput): Promise<AgentView> {
    if (this.agents.has(`${workspaceId}|${input.agentId}`))
      throw new AlreadyExistsError(`agent ${input.agentId} exists`);
    return this.upsertAgent(workspaceId, input);
  }
  async updateAgent(workspaceId: string, agentId: string, patch: AgentPatch): Promise<AgentView> {
    const current = await this.getAgent(workspaceId, agentId);
    return this.upsertAgent(workspaceId, patchedAgent(current, patch));
  }
  async getAgent(workspaceId: string, agentId: string): Promise<AgentView> {
    const agent = this.agents.get(`${workspaceId}|${agentId}`);
    if (!agent) throw new NotFoundError(`agent ${agentId}`);
    return agent;
  }
  async listAgents(workspaceId: string): Promise<AgentView[]> {
    return [...this.agents.values()].filter((a) => a.workspaceId === workspaceId);
  }
  async removeAgent(workspaceId: string, agentId: string): Promise<void> {
    await this.getAgent(workspaceId, agentId);
    this.agents.delete(`${workspaceId}|${agentId}`);
  }
  async setPresence(
    workspaceId: string,
    agentId: string,
    presence: Presence,
    reason: string,
  ): Promise<AgentView> {
    const agent = await this.getAgent(workspaceId, agentId);
    agent.presence = presence;
    this.presenceCalls.push({ agentId, presence, reason });
    return agent;
  }

  /** Like routing's unique index on (workspace_id, lower(name)): another queue's name is AlreadyExists. */
  async upsertQueue(workspaceId: string, input: QueueInput): Promise<QueueView> {
    const id = input.id ?? randomUUID();
    const clash = [...this.queues.values()].some(
      (q) =>
        q.workspaceId === workspaceId && q.id !== id && q.name.toLowerCase() === input.name.toLowerCase(),
    );
    if (clash) throw new AlreadyExistsError(`a queue named "${input.name}" exists`);
    const now = new Date().toISOString();
    const queue: QueueView = {
      id,
      workspaceId,
      name: input.name,
      priority: input.priority ?? 0,
      entry: input.entry ?? {},
      serviceLevel: input.serviceLevel ?? { targetPercent: 80, withinSeconds: 60 },
      steps: input.steps ?? [],
      mode: input.mode ?? 'auto',
      offerTimeoutSeconds: input.offerTimeoutSeconds ?? 30,
      maxMissedOffers: input.maxMissedOffers ?? 3,
      preferredAgent: input.preferredAgent ?? null,
      createdAt: this.queues.get(`${workspaceId}|${id}`)?.createdAt ?? now,
      updatedAt: now,
    };
    this.queues.set(`${workspaceId}|${id}`, queue);
    return queue;
  }
  async getQueue(workspaceId: string, queueId: string): Promise<QueueView> {
    const queue = this.queues.get(`${workspaceId}|${queueId}`);
    if (!queue) throw new NotFoundError(`queue ${queueId}`);
    return queue;
  }
  async listQueues(workspaceId: string): Promise<QueueView[]> {
    return [...this.queues.values()].filter((q) => q.workspaceId === workspaceId);
  }
  async deleteQueue(workspaceId: string, queueId: string): Promise<void> {
    await this.getQueue(workspaceId, queueId);
    this.queues.delete(`${workspaceId}|${queueId}`);
  }
  async getQueueStats(workspaceId: string): Promise<QueueStatsView[]> {
    const queues = await this.listQueues(workspaceId);
    return queues.map((q) => ({
      queueId: q.id,
      name: q.name,
      waiting: [...this.history.conversations.values()].filter(
        (c) => c.workspaceId === workspaceId && c.queueId === q.id && c.assigneeId === null,
      ).length,
      longestWaitSeconds: 0,
      serviceLevelPercent: null,
      targetPercent: q.serviceLevel.targetPercent,
      agentsOnline: [...this.agents.values()].filter(
        (a) => a.workspaceId === workspaceId && a.presence === 'online',
      ).length,
      agentsAvailable: 0,
    }));
  }
  async getDecision(workspaceId: string, conversationId: string): Promise<RoutingDecisionView> {
    const conversation = await this.history.getConversation(workspaceId, conversationId);
    return {
      conversationId,
      state: conversation.assigneeId ? 'assigned' : 'waiting',
      queueId: conversation.queueId,
      agentId: conversation.assigneeId,
      currentStep: null,
      waitingSince: conversation.waitingSince,
      explanation: conversation.assigneeId
        ? { step: null, reason: 'transferred by an agent', candidates: [] }
        : null,
      decidedAt: null,
      handoff: null,
    };
  }

  /** Test set-up: the bot holds this conversation of the history double. */
  holdForBot(workspaceId: string, conversationId: string): void {
    const conversation = this.history.conversations.get(conversationId);
    if (!conversation || conversation.workspaceId !== workspaceId)
      throw new NotFoundError(`conversation ${conversationId}`);
    this.botHeld.set(conversationId, {
      workspaceId,
      conversationId,
      customerId: conversation.customerId,
      channel: conversation.channel ?? 'web',
      since: new Date().toISOString(),
      replyDeadline: null,
    });
  }

  async listBotConversations(workspaceId: string): Promise<BotConversationView[]> {
    return [...this.botHeld.values()]
      .filter((c) => c.workspaceId === workspaceId)
      .map(({ workspaceId: _, ...view }) => view);
  }

  /** Like routing's: the agent must be the workspace's and the bot must hold the conversation. */
  async takeOver(
    workspaceId: string,
    conversationId: string,
    agentId: string,
    by: MessageSender,
  ): Promise<void> {
    await this.getAgent(workspaceId, agentId);
    const held = this.botHeld.get(conversationId);
    if (!held || held.workspaceId !== workspaceId)
      throw new FailedPreconditionError(`conversation ${conversationId} is not with the bot (${by.type})`);
    this.botHeld.delete(conversationId);
    await this.transfer(workspaceId, conversationId, { agentId });
  }
  /** Like routing's: the target and the conversation must be the workspace's, before anything changes. */
  async transfer(workspaceId: string, conversationId: string, to: TransferTarget): Promise<void> {
    if ('agentId' in to) await this.getAgent(workspaceId, to.agentId);
    else await this.getQueue(workspaceId, to.queueId);
    const conversation = this.history.conversations.get(conversationId);
    if (!conversation || conversation.workspaceId !== workspaceId)
      throw new NotFoundError(`conversation ${conversationId}`);
    this.transfers.push({ workspaceId, conversationId, to });
    const previous = conversation.assigneeId
      ? this.agents.get(`${workspaceId}|${conversation.assigneeId}`)
      : undefined;
    if (previous) previous.load = Math.max(0, previous.load - 1);
    if ('queueId' in to) {
      conversation.assigneeId = null;
      conversation.queueId = to.queueId;
      return;
    }
    conversation.assigneeId = to.agentId;
    const next = await this.getAgent(workspaceId, to.agentId);
    next.load += 1;
    await this.bus?.emit(
      ConversationAssignedV1.create({
        workspaceId,
        payload: {
          conversationId,
          queueId: conversation.queueId,
          agentId: to.agentId,
          mode: 'assign',
          assignedAt: new Date().toISOString(),
          explanation: { step: null, reason: 'transferred by an agent', candidates: [] },
        },
      }),
    );
  }
  async answerOffer(
    workspaceId: string,
    conversationId: string,
    agentId: string,
    accepted: boolean,
  ): Promise<void> {
    const conversation = this.history.conversations.get(conversationId);
    if (!conversation || conversation.workspaceId !== workspaceId)
      throw new NotFoundError(`conversation ${conversationId}`);
    if (accepted) conversation.assigneeId = agentId;
  }

  /**
   * Not a planner (routing's is tested in routing): one agent per started 10 arrivals; fewer
   * scheduled fall short. Records each request, for tests of the translation at an edge.
   */
  async planStaffing(workspaceId: string, input: StaffingPlanInput): Promise<StaffingPlanView> {
    this.plans.push({ workspaceId, input });
    const figures = {
      serviceLevelPercent: 90,
      averageWaitSeconds: 5,
      occupancyPercent: 70,
      abandonPercent: 0,
    };
    const method = input.maxChats > 1 || (input.steps?.length ?? 0) > 0 ? 'simulation' : 'erlang-c';
    return {
      method,
      basis: 'in-memory double',
      timeZone: input.timeZone ?? 'UTC',
      intervals: input.arrivalsByHour.map((arrivals, hour) => {
        const agentsNeeded = Math.ceil(arrivals / 10);
        const scheduled = input.scheduled?.[hour] ?? agentsNeeded;
        return {
          hour,
          method,
          arrivals,
          agentsNeeded,
          expected: figures,
          scheduled,
          expectedScheduled:
            scheduled >= agentsNeeded
              ? figures
              : { ...figures, serviceLevelPercent: 50, averageWaitSeconds: null },
        };
      }),
    };
  }

  /**
   * A fixed week (busier by day, on the clock of the zone asked) with a fitted curve, for a queue
   * the workspace has; NotFound otherwise.
   */
  async getArrivalHistory(
    workspaceId: string,
    queueId: string,
    weeks = 4,
    timeZone = 'UTC',
  ): Promise<ArrivalHistoryView> {
    if (!this.queues.has(`${workspaceId}|${queueId}`)) throw new NotFoundError(`queue ${queueId}`);
    return {
      queueId,
      weeks,
      timeZone,
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-29T00:00:00.000Z',
      arrivalsByHour: Array.from({ length: 168 }, (_, h) => (h % 24 >= 8 && h % 24 < 18 ? 20 : 2)),
      meanHandleSeconds: 240,
      conversations: 1932 * weeks,
      concurrency: { factors: [1, 1.3], chats: 1932 * weeks, aloneHandleSeconds: 210 },
    };
  }
}
