/* eslint-disable @typescript-eslint/require-await -- async to match the ports, not because they wait */
import { randomUUID } from 'node:crypto';
import {
  AlreadyExistsError,
  type AgentInput,
  type AgentPatch,
  type AgentView,
  type AssignmentRecordView,
  type Channel,
  type ConversationStatus,
  ConversationAssignedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  type ConversationView,
  type CustomerView,
  type HistoryApi,
  type ListConversationsQuery,
  type MergeSuggestionView,
  type MergeView,
  type MessageSender,
  type MessageView,
  NotFoundError,
  type Page,
  type Presence,
  type QueueInput,
  type QueueStatsView,
  type QueueView,
  type RoutingApi,
  type ArrivalHistoryView,
  type StaffingPlanInput,
  type StaffingPlanView,
  type RoutingDecisionView,
  type SendMessageInput,
  type SendMessageResult,
  type TimelineQuery,
  Topics,
  type TransferTarget,
  patchedAgent,
} from '@switchboard/contracts';
import type { EventBus } from '@switchboard/messaging';

/**
 * Test doubles of HistoryApi and RoutingApi for the inbox's tests while the real services are
 * built in parallel (they replace these after the merge). They keep the ports' contract where the
 * inbox relies on it — workspace scoping (another workspace's ids are not found), keyset pages,
 * idempotency keys, gapless sequences — and publish the same events on the real bus, so the live
 * path is exercised end to end. Not shipped: test code only.
 */
export class InMemoryHistory implements HistoryApi {
  readonly customers = new Map<string, CustomerView>();
  readonly conversations = new Map<string, ConversationView>();
  readonly messages: MessageView[] = [];
  readonly suggestions: MergeSuggestionView[] = [];
  private readonly keys = new Map<string, SendMessageResult>();

  constructor(public bus?: EventBus) {}

  addCustomer(workspaceId: string, patch: Partial<CustomerView> = {}): CustomerView {
    const now = new Date().toISOString();
    const customer: CustomerView = {
      id: randomUUID(),
      workspaceId,
      name: null,
      attributes: {},
      identities: [],
      channels: [],
      createdAt: now,
      updatedAt: now,
      erasedAt: null,
      ...patch,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  addConversation(customer: CustomerView, patch: Partial<ConversationView> = {}): ConversationView {
    const now = new Date().toISOString();
    const conversation: ConversationView = {
      id: randomUUID(),
      workspaceId: customer.workspaceId,
      customerId: customer.id,
      customerName: customer.name,
      status: 'open',
      channel: customer.channels[0] ?? 'web',
      channelAccountId: null,
      assigneeId: null,
      queueId: null,
      openedAt: now,
      firstResponseAt: null,
      resolvedAt: null,
      lastMessageAt: now,
      lastMessagePreview: null,
      lastSequence: 0,
      waitingSince: null,
      ...patch,
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** A customer's message arrives (what history does on the inbound topic). */
  async receive(
    conversationId: string,
    text: string,
    channel: Channel,
    at = new Date(),
  ): Promise<MessageView> {
    const conversation = this.conversations.get(conversationId)!;
    const message = this.append(conversation, {
      direction: 'in',
      channel,
      text,
      sender: { type: 'customer', id: conversation.customerId },
      createdAt: at.toISOString(),
    });
    conversation.waitingSince ??= message.createdAt;
    conversation.channel = channel;
    await this.publishAppended(message, conversation.lastSequence === 1);
    return message;
  }

  async getCustomer(workspaceId: string, customerId: string): Promise<CustomerView> {
    const customer = this.customers.get(customerId);
    if (!customer || customer.workspaceId !== workspaceId) throw new NotFoundError('customer');
    return customer;
  }
  async findCustomers(): Promise<Page<CustomerView>> {
    return { items: [...this.customers.values()], nextPageToken: null };
  }
  async updateCustomer(
    workspaceId: string,
    customerId: string,
    patch: { name?: string | null; attributes?: Record<string, string | null> },
  ): Promise<CustomerView> {
    const customer = await this.getCustomer(workspaceId, customerId);
    if (patch.name !== undefined) customer.name = patch.name;
    for (const [key, value] of Object.entries(patch.attributes ?? {})) {
      if (value === null) delete customer.attributes[key];
      else customer.attributes[key] = value;
    }
    return customer;
  }
  async mergeCustomers(
    workspaceId: string,
    input: { targetCustomerId: string; sourceCustomerId: string },
    by: MessageSender,
  ): Promise<MergeView> {
    const target = await this.getCustomer(workspaceId, input.targetCustomerId);
    const source = await this.getCustomer(workspaceId, input.sourceCustomerId);
    target.identities.push(...source.identities);
    source.identities = [];
    for (const c of this.conversations.values()) if (c.customerId === source.id) c.customerId = target.id;
    for (const m of this.messages) if (m.customerId === source.id) m.customerId = target.id;
    return {
      id: randomUUID(),
      targetCustomerId: target.id,
      sourceCustomerId: source.id,
      mergedBy: by,
      mergedAt: new Date().toISOString(),
      undoneAt: null,
    };
  }
  async undoMerge(): Promise<MergeView> {
    throw new Error('not used by the inbox');
  }
  async listMergeSuggestions(workspaceId: string, customerId: string): Promise<MergeSuggestionView[]> {
    await this.getCustomer(workspaceId, customerId);
    return this.suggestions.filter((s) => s.customerId === customerId);
  }
  async eraseCustomer(): Promise<never> {
    throw new Error('not used by the inbox');
  }
  async exportCustomer(): Promise<never> {
    throw new Error('not used by the inbox');
  }

  async getTimeline(
    workspaceId: string,
    customerId: string,
    query: TimelineQuery,
  ): Promise<Page<MessageView>> {
    await this.getCustomer(workspaceId, customerId);
    const all = this.messages
      .filter((m) => m.customerId === customerId && (!query.channel || m.channel === query.channel))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.sequence - a.sequence);
    const start = query.pageToken ? Number(query.pageToken) : 0;
    const size = Math.min(query.pageSize ?? 50, 200);
    const items = all.slice(start, start + size);
    return { items, nextPageToken: start + size < all.length ? String(start + size) : null };
  }
  async searchMessages(): Promise<Page<MessageView>> {
    return { items: [], nextPageToken: null };
  }

  async getConversation(workspaceId: string, conversationId: string): Promise<ConversationView> {
    const conversation = this.conversations.get(conversationId);
    if (!conversation || conversation.workspaceId !== workspaceId) throw new NotFoundError('conversation');
    return { ...conversation };
  }
  async listConversations(
    workspaceId: string,
    query: ListConversationsQuery,
  ): Promise<Page<ConversationView>> {
    const items = [...this.conversations.values()]
      .filter(
        (c) =>
          c.workspaceId === workspaceId &&
          (!query.status || query.status.includes(c.status)) &&
          (query.assigneeId === undefined || c.assigneeId === query.assigneeId) &&
          (!query.unassigned || c.assigneeId === null) &&
          (!query.queueId || c.queueId === query.queueId) &&
          (!query.channel || c.channel === query.channel),
      )
      .sort((a, b) => (a.waitingSince ?? '~').localeCompare(b.waitingSince ?? '~'));
    return { items: items.map((c) => ({ ...c })), nextPageToken: null };
  }
  async listMessages(workspaceId: string, conversationId: string): Promise<MessageView[]> {
    await this.getConversation(workspaceId, conversationId);
    return this.messages.filter((m) => m.conversationId === conversationId);
  }
  async listAssignments(): Promise<AssignmentRecordView[]> {
    return [];
  }
  async setConversationStatus(
    workspaceId: string,
    conversationId: string,
    status: ConversationStatus,
    by: MessageSender,
  ): Promise<ConversationView> {
    await this.getConversation(workspaceId, conversationId);
    const conversation = this.conversations.get(conversationId)!;
    const previousStatus = conversation.status;
    conversation.status = status;
    if (this.bus && previousStatus !== status)
      await this.bus.publish({
        topic: Topics.conversations,
        key: workspaceId,
        event: ConversationStatusChangedV1.create({
          workspaceId,
          payload: {
            conversationId,
            customerId: conversation.customerId,
            status,
            previousStatus,
            changedBy: by,
            changedAt: new Date().toISOString(),
          },
        }),
      });
    return { ...conversation };
  }

  async sendMessage(workspaceId: string, input: SendMessageInput): Promise<SendMessageResult> {
    const key = `${workspaceId}:${input.idempotencyKey}`;
    const known = this.keys.get(key);
    if (known) return { ...known, created: false };
    const conversation = this.conversations.get(input.conversationId ?? '');
    if (!conversation || conversation.workspaceId !== workspaceId) throw new NotFoundError('conversation');
    const message = this.append(conversation, {
      direction: input.internalNote ? 'note' : 'out',
      channel: input.internalNote ? null : (input.channel ?? conversation.channel),
      text: input.text,
      sender: input.sender,
      createdAt: new Date().toISOString(),
    });
    message.attachments = input.attachments ?? [];
    if (!input.internalNote) conversation.waitingSince = null;
    await this.publishAppended(message, false);
    const result = {
      messageId: message.id,
      conversationId: conversation.id,
      customerId: conversation.customerId,
      channel: message.channel,
      created: true,
    };
    this.keys.set(key, result);
    return result;
  }

  private append(
    conversation: ConversationView,
    fields: Pick<MessageView, 'direction' | 'channel' | 'text' | 'sender' | 'createdAt'>,
  ): MessageView {
    conversation.lastSequence += 1;
    conversation.lastMessageAt = fields.createdAt;
    conversation.lastMessagePreview = fields.text;
    const message: MessageView = {
      id: randomUUID(),
      workspaceId: conversation.workspaceId,
      conversationId: conversation.id,
      customerId: conversation.customerId,
      sequence: conversation.lastSequence,
      channelAccountId: null,
      providerMessageId: null,
      attachments: [],
      deliveryStatus: fields.direction === 'out' ? 'pending' : null,
      deliveryError: null,
      ...fields,
    };
    this.messages.push(message);
    return message;
  }

  private async publishAppended(message: MessageView, opened: boolean): Promise<void> {
    if (!this.bus) return;
    await this.bus.publish({
      topic: Topics.conversations,
      key: message.workspaceId,
      event: ConversationMessageAppendedV1.create({
        workspaceId: message.workspaceId,
        payload: {
          conversationId: message.conversationId,
          customerId: message.customerId,
          messageId: message.id,
          sequence: message.sequence,
          direction: message.direction,
          channel: message.channel,
          channelAccountId: message.channelAccountId,
          text: message.text,
          attachments: [],
          sender: message.sender,
          createdAt: message.createdAt,
          openedConversation: opened,
        },
      }),
    });
  }
}

/** See InMemoryHistory. Transfers to an agent assign at once and publish ConversationAssignedV1. */
export class InMemoryRouting implements RoutingApi {
  readonly agents = new Map<string, AgentView>();
  readonly queues = new Map<string, QueueView>();
  readonly presenceCalls: { agentId: string; presence: Presence; reason: string }[] = [];

  constructor(
    private readonly history: InMemoryHistory,
    public bus?: EventBus,
  ) {}

  async upsertAgent(workspaceId: string, input: AgentInput): Promise<AgentView> {
    const previous = this.agents.get(`${workspaceId}:${input.agentId}`);
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
    this.agents.set(`${workspaceId}:${input.agentId}`, agent);
    return agent;
  }
  async createAgent(workspaceId: string, input: AgentInput): Promise<AgentView> {
    if (this.agents.has(`${workspaceId}:${input.agentId}`))
      throw new AlreadyExistsError(`agent ${input.agentId} exists`);
    return this.upsertAgent(workspaceId, input);
  }
  async updateAgent(workspaceId: string, agentId: string, patch: AgentPatch): Promise<AgentView> {
    const current = await this.getAgent(workspaceId, agentId);
    return this.upsertAgent(workspaceId, patchedAgent(current, patch));
  }
  async getAgent(workspaceId: string, agentId: string): Promise<AgentView> {
    const agent = this.agents.get(`${workspaceId}:${agentId}`);
    if (!agent) throw new NotFoundError('agent');
    return agent;
  }
  async listAgents(workspaceId: string): Promise<AgentView[]> {
    return [...this.agents.values()].filter((a) => a.workspaceId === workspaceId);
  }
  async removeAgent(workspaceId: string, agentId: string): Promise<void> {
    await this.getAgent(workspaceId, agentId);
    this.agents.delete(`${workspaceId}:${agentId}`);
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
  async upsertQueue(workspaceId: string, input: QueueInput): Promise<QueueView> {
    const now = new Date().toISOString();
    const queue: QueueView = {
      id: input.id ?? randomUUID(),
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
      createdAt: now,
      updatedAt: now,
    };
    this.queues.set(`${workspaceId}:${queue.id}`, queue);
    return queue;
  }
  async getQueue(workspaceId: string, queueId: string): Promise<QueueView> {
    const queue = this.queues.get(`${workspaceId}:${queueId}`);
    if (!queue) throw new NotFoundError('queue');
    return queue;
  }
  async listQueues(workspaceId: string): Promise<QueueView[]> {
    return [...this.queues.values()].filter((q) => q.workspaceId === workspaceId);
  }
  async deleteQueue(workspaceId: string, queueId: string): Promise<void> {
    await this.getQueue(workspaceId, queueId);
    this.queues.delete(`${workspaceId}:${queueId}`);
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
    };
  }
  /** Like routing's: the target and the conversation must be the workspace's, before anything changes. */
  async transfer(workspaceId: string, conversationId: string, to: TransferTarget): Promise<void> {
    if ('agentId' in to) await this.getAgent(workspaceId, to.agentId);
    else await this.getQueue(workspaceId, to.queueId);
    const conversation = this.history.conversations.get(conversationId);
    if (!conversation || conversation.workspaceId !== workspaceId) throw new NotFoundError('conversation');
    const previous = conversation.assigneeId
      ? this.agents.get(`${workspaceId}:${conversation.assigneeId}`)
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
    await this.bus?.publish({
      topic: Topics.routing,
      key: workspaceId,
      event: ConversationAssignedV1.create({
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
    });
  }
  /** Not a planner (routing's is tested in routing): one agent per started 10 arrivals; fewer fall short. */
  planStaffing(workspaceId: string, input: StaffingPlanInput): Promise<StaffingPlanView> {
    const figures = {
      serviceLevelPercent: 90,
      averageWaitSeconds: 5,
      occupancyPercent: 70,
      abandonPercent: 0,
    };
    return Promise.resolve({
      method: input.maxChats > 1 ? 'simulation' : 'erlang-c',
      basis: `in-memory double for ${workspaceId}`,
      intervals: input.arrivalsByHour.map((arrivals, hour) => {
        const agentsNeeded = Math.ceil(arrivals / 10);
        const scheduled = input.scheduled?.[hour] ?? agentsNeeded;
        return {
          hour,
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
    });
  }

  getArrivalHistory(workspaceId: string, queueId: string, weeks = 4): Promise<ArrivalHistoryView> {
    if (!this.queues.has(`${workspaceId}:${queueId}`) && queueId !== 'default')
      return Promise.reject(new NotFoundError(`queue ${queueId}`));
    return Promise.resolve({
      queueId,
      weeks,
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-29T00:00:00.000Z',
      arrivalsByHour: Array.from({ length: 168 }, (_, h) => (h % 24 >= 8 && h % 24 < 18 ? 20 : 2)),
      meanHandleSeconds: 240,
      conversations: 0,
    });
  }

  async answerOffer(
    workspaceId: string,
    conversationId: string,
    agentId: string,
    accepted: boolean,
  ): Promise<void> {
    const conversation = this.history.conversations.get(conversationId);
    if (!conversation || conversation.workspaceId !== workspaceId) throw new NotFoundError('conversation');
    if (accepted) conversation.assigneeId = agentId;
  }
}
