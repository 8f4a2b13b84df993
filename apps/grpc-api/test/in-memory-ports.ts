import {
  AlreadyExistsError,
  FailedPreconditionError,
  historyApiPort,
  NotFoundError,
  routingApiPort,
  UnavailableError,
  type ServicePort,
  type AgentInput,
  type AgentPatch,
  type AgentView,
  type ConversationView,
  type HistoryApi,
  type QueueInput,
  type QueueView,
  type RoutingApi,
  type StaffingPlanInput,
  type StaffingPlanView,
  type ArrivalHistoryView,
  type SendMessageInput,
  type SendMessageResult,
  type TransferTarget,
  patchedAgent,
} from '@switchboard/contracts';
import type { Provider } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/**
 * Stand-ins for the history and routing ports with their documented contract (workspace scoping,
 * idempotency keys, opted-out addresses, unique names, AlreadyExists and NotFound), for testing
 * the gRPC edge on its own; the standalone e2e runs the real services. Only what the edge tests
 * touch is implemented; the rest throws.
 */
export class InMemoryHistory {
  readonly conversations = new Map<string, ConversationView>();
  readonly sent = new Map<
    string,
    { workspaceId: string; input: SendMessageInput; result: SendMessageResult }
  >();
  readonly optedOut = new Set<string>();
  /** Delay of listConversations, to test deadlines. */
  listDelayMs = 0;

  addConversation(workspaceId: string, patch: Partial<ConversationView> = {}): ConversationView {
    const view: ConversationView = {
      id: randomUUID(),
      workspaceId,
      customerId: randomUUID(),
      customerName: 'Ada',
      status: 'open',
      channel: 'sms',
      channelAccountId: 'acct-1',
      assigneeId: null,
      queueId: 'billing',
      openedAt: '2026-11-30T10:00:00.000Z',
      firstResponseAt: null,
      resolvedAt: null,
      lastMessageAt: '2026-11-30T10:05:00.250Z',
      lastMessagePreview: 'Is it in stock?',
      lastSequence: 3,
      waitingSince: '2026-11-30T10:00:00.000Z',
      ...patch,
    };
    this.conversations.set(view.id, view);
    return view;
  }

  asPort(): HistoryApi {
    const unsupported = () => Promise.reject(new Error('not part of the edge tests'));
    return {
      getConversation: (workspaceId: string, id: string) =>
        Promise.resolve(this.conversation(workspaceId, id)),
      listConversations: async () => {
        await new Promise((resolve) => setTimeout(resolve, this.listDelayMs));
        return { items: [...this.conversations.values()], nextPageToken: null };
      },
      setConversationStatus: (workspaceId: string, id: string, status: ConversationView['status']) => {
        const view = { ...this.conversation(workspaceId, id), status };
        this.conversations.set(id, view);
        return Promise.resolve(view);
      },
      sendMessage: (workspaceId: string, input: SendMessageInput) =>
        Promise.resolve(this.send(workspaceId, input)),
      getCustomer: () => Promise.reject(new NotFoundError('customer')),
      findCustomers: unsupported,
      updateCustomer: unsupported,
      mergeCustomers: unsupported,
      undoMerge: unsupported,
      listMergeSuggestions: unsupported,
      eraseCustomer: unsupported,
      exportCustomer: unsupported,
      getTimeline: unsupported,
      searchMessages: unsupported,
      listMessages: unsupported,
      listAssignments: unsupported,
    };
  }

  private conversation(workspaceId: string, id: string): ConversationView {
    const view = this.conversations.get(id);
    if (!view || view.workspaceId !== workspaceId) throw new NotFoundError('conversation');
    return view;
  }

  private send(workspaceId: string, input: SendMessageInput): SendMessageResult {
    const previous = this.sent.get(`${workspaceId}|${input.idempotencyKey}`);
    if (previous) return { ...previous.result, created: false };
    if (input.identity && this.optedOut.has(input.identity.value)) {
      throw new FailedPreconditionError(`${input.identity.value} opted out of messages on this channel`);
    }
    const conversation = input.conversationId
      ? this.conversation(workspaceId, input.conversationId)
      : undefined;
    const result: SendMessageResult = {
      messageId: randomUUID(),
      conversationId: conversation?.id ?? randomUUID(),
      customerId: conversation?.customerId ?? input.customerId ?? randomUUID(),
      channel: input.channel ?? 'sms',
      created: true,
    };
    this.sent.set(`${workspaceId}|${input.idempotencyKey}`, { workspaceId, input, result });
    return result;
  }
}

export class InMemoryRouting {
  /** The conversations routing knows of: the history double's. */
  constructor(private readonly history: InMemoryHistory) {}

  readonly agents = new Map<string, AgentView>();
  readonly queues = new Map<string, QueueView>();
  readonly transfers: { workspaceId: string; conversationId: string; to: TransferTarget }[] = [];
  readonly plans: { workspaceId: string; input: StaffingPlanInput }[] = [];

  asPort(): RoutingApi {
    const unsupported = () => Promise.reject(new Error('not part of the edge tests'));
    return {
      upsertAgent: (workspaceId: string, input: AgentInput) =>
        Promise.resolve(this.saveAgent(workspaceId, input)),
      createAgent: (workspaceId: string, input: AgentInput) =>
        this.agents.has(`${workspaceId}|${input.agentId}`)
          ? Promise.reject(new AlreadyExistsError(`agent ${input.agentId} exists`))
          : Promise.resolve(this.saveAgent(workspaceId, input)),
      updateAgent: (workspaceId: string, agentId: string, patch: AgentPatch) => {
        const current = this.agents.get(`${workspaceId}|${agentId}`);
        if (!current) return Promise.reject(new NotFoundError(`agent ${agentId}`));
        return Promise.resolve(this.saveAgent(workspaceId, patchedAgent(current, patch)));
      },
      getAgent: (workspaceId: string, agentId: string) => {
        const view = this.agents.get(`${workspaceId}|${agentId}`);
        return view ? Promise.resolve(view) : Promise.reject(new NotFoundError('agent'));
      },
      listAgents: (workspaceId: string) =>
        Promise.resolve([...this.agents.values()].filter((a) => a.workspaceId === workspaceId)),
      setPresence: (workspaceId: string, agentId: string, presence: AgentView['presence']) => {
        const view = this.agents.get(`${workspaceId}|${agentId}`);
        if (!view) return Promise.reject(new NotFoundError('agent'));
        const next = { ...view, presence };
        this.agents.set(`${workspaceId}|${agentId}`, next);
        return Promise.resolve(next);
      },
      transfer: (workspaceId: string, conversationId: string, to: TransferTarget) => {
        // Like routing's: the target and the conversation must be the workspace's.
        const target =
          'agentId' in to
            ? this.agents.get(`${workspaceId}|${to.agentId}`)
            : this.queues.get(`${workspaceId}|${to.queueId}`);
        if (!target) return Promise.reject(new NotFoundError('agentId' in to ? 'agent' : 'queue'));
        const conversation = this.history.conversations.get(conversationId);
        if (conversation?.workspaceId !== workspaceId)
          return Promise.reject(new NotFoundError(`conversation ${conversationId}`));
        this.transfers.push({ workspaceId, conversationId, to });
        return Promise.resolve();
      },
      removeAgent: unsupported,
      upsertQueue: (workspaceId: string, input: QueueInput) =>
        Promise.resolve(this.upsertQueue(workspaceId, input)),
      getQueue: (workspaceId: string, queueId: string) => {
        const view = this.queues.get(`${workspaceId}|${queueId}`);
        return view ? Promise.resolve(view) : Promise.reject(new NotFoundError(`queue ${queueId}`));
      },
      listQueues: (workspaceId: string) =>
        Promise.resolve([...this.queues.values()].filter((q) => q.workspaceId === workspaceId)),
      deleteQueue: unsupported,
      getQueueStats: unsupported,
      getDecision: unsupported,
      answerOffer: unsupported,
      planStaffing: (workspaceId: string, input: StaffingPlanInput) => {
        this.plans.push({ workspaceId, input });
        // Not a planner: one agent per started 10 arrivals, enough to check the translation.
        return Promise.resolve<StaffingPlanView>({
          method: input.maxChats > 1 ? 'simulation' : 'erlang-c',
          basis: 'in-memory double',
          intervals: input.arrivalsByHour.map((arrivals, hour) => {
            const figures = {
              serviceLevelPercent: 90,
              averageWaitSeconds: 5,
              occupancyPercent: 70,
              abandonPercent: 0,
            };
            const agentsNeeded = Math.ceil(arrivals / 10);
            return {
              hour,
              arrivals,
              agentsNeeded,
              expected: figures,
              scheduled: input.scheduled?.[hour] ?? agentsNeeded,
              expectedScheduled: { ...figures, averageWaitSeconds: null },
            };
          }),
        });
      },
      getArrivalHistory: (workspaceId: string, queueId: string, weeks = 4) => {
        if (!this.queues.has(`${workspaceId}|${queueId}`))
          return Promise.reject(new NotFoundError(`queue ${queueId}`));
        return Promise.resolve<ArrivalHistoryView>({
          queueId,
          weeks,
          from: '2026-11-01T00:00:00.000Z',
          to: '2026-11-29T00:00:00.000Z',
          arrivalsByHour: Array.from({ length: 168 }, (_, h) => h % 24),
          meanHandleSeconds: 240,
          conversations: 1932 * weeks,
        });
      },
    };
  }

  private saveAgent(workspaceId: string, input: AgentInput): AgentView {
    const previous = this.agents.get(`${workspaceId}|${input.agentId}`);
    const view: AgentView = {
      workspaceId,
      agentId: input.agentId,
      displayName: input.displayName,
      skills: input.skills,
      channelCapacity: input.channelCapacity ?? {},
      defaultChannelCapacity: input.defaultChannelCapacity ?? 5,
      maxConcurrent: input.maxConcurrent ?? null,
      queueIds: input.queueIds ?? [],
      presence: previous?.presence ?? 'offline',
      load: previous?.load ?? 0,
      loadByChannel: previous?.loadByChannel ?? {},
      capacity: input.maxConcurrent ?? 30,
      idleSince: null,
      updatedAt: new Date().toISOString(),
    };
    this.agents.set(`${workspaceId}|${input.agentId}`, view);
    return view;
  }

  /** Like routing's unique index on (workspace_id, lower(name)): another queue's name is AlreadyExists. */
  private upsertQueue(workspaceId: string, input: QueueInput): QueueView {
    const id = input.id ?? randomUUID();
    const clash = [...this.queues.values()].some(
      (q) =>
        q.workspaceId === workspaceId && q.id !== id && q.name.toLowerCase() === input.name.toLowerCase(),
    );
    if (clash) throw new AlreadyExistsError(`a queue named "${input.name}" exists`);
    const now = new Date().toISOString();
    const view: QueueView = {
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
    this.queues.set(`${workspaceId}|${id}`, view);
    return view;
  }
}

/**
 * History and routing as a process sees them while they cannot be reached: every method throws
 * UnavailableError, as the internal RPC clients do (ADR 0004).
 */
export function unreachablePorts(): Provider[] {
  return [unreachable(historyApiPort), unreachable(routingApiPort)];
}

function unreachable<T>(port: ServicePort<T>): Provider {
  const error = () =>
    Promise.reject(new UnavailableError(`the ${port.name} service is not reachable from this process`));
  return {
    provide: port.token,
    useValue: Object.fromEntries(port.methods.map((method) => [method, error])),
  };
}
