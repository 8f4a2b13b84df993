import { Inject, Injectable } from '@nestjs/common';
import {
  AgentPresenceChangedV1,
  AlreadyExistsError,
  ConversationOfferAnsweredV1,
  ConversationTransferRequestedV1,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  Topics,
  channelSchema,
  messageSenderSchema,
  presenceSchema,
  type AgentInput,
  type AgentPatch,
  type AgentView,
  type Channel,
  type MessageSender,
  type Presence,
  type PresenceReason,
  type QueueInput,
  type QueueStatsView,
  type QueueView,
  type RoutingApi,
  type RoutingDecisionView,
  type TransferTarget,
  patchedAgent,
} from '@switchboard/contracts';
import { EventBus } from '@switchboard/messaging';
import { InjectServiceDataSource, returnedRows } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { ConversationSnapshot } from '../core/routing-types.js';
import { RoutingJournalRepository } from '../inputs/routing-journal.repository.js';
import {
  agentConfigFromRow,
  queueConfigFromRow,
  type AgentRow,
  type QueueRow,
} from '../workspaces/routing-rows.js';
import { parseAgentInput, parseInput, parseQueueInput } from './routing-api.validation.js';

const CHANNELS = channelSchema.options;
const DEFAULT_CHANNEL_CAPACITY = 5;

interface AgentStateRow {
  presence: Presence;
  load: number;
  load_by_channel: Partial<Record<Channel, number>>;
  idle_since: string | null;
}

const workspaceIdSchema = z.uuid();
const conversationIdSchema = z.uuid();
const agentIdSchema = z.string().trim().min(1).max(200);
const presenceReasonSchema = z.enum(['agent', 'connection', 'offer_timeouts', 'admin']);
const transferTargetSchema = z.union([
  z.object({ agentId: agentIdSchema }).strict(),
  z.object({ queueId: z.string().trim().min(1).max(200) }).strict(),
]);

/**
 * RoutingApi over the routing schema. Configuration is written here, in one transaction with its
 * journal entry, so the workspace's owner applies it in order with everything else; reads come
 * from what the owner persisted. Commands (presence, transfer, answers) are events on the log,
 * durable before the method resolves. Every query is scoped by workspace.
 */
/** The columns an agent write takes, in the order of its parameters. */
const AGENT_COLUMNS =
  'workspace_id, agent_id, display_name, skills, channel_capacity, default_channel_capacity, max_concurrent, queue_ids';

/** The engine's default queue, as the stats name it (no configured queue may have an empty id). */
const DEFAULT_QUEUE_ID = '';

@Injectable()
export class RoutingApiService implements RoutingApi {
  constructor(
    @InjectServiceDataSource('routing') private readonly db: DataSource,
    @Inject(EventBus) private readonly bus: EventBus,
    private readonly journal: RoutingJournalRepository,
  ) {}

  // ─── Agents ───────────────────────────────────────────────────────────────────────────────

  async upsertAgent(workspaceId: string, input: AgentInput): Promise<AgentView> {
    checkWorkspace(workspaceId);
    const agent = parseAgentInput(input);
    const row = await this.db.transaction((manager) =>
      this.writeAgent(
        manager,
        workspaceId,
        agent,
        `INSERT INTO routing.agents (${AGENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (workspace_id, agent_id) DO UPDATE SET
           display_name = excluded.display_name, skills = excluded.skills, channel_capacity = excluded.channel_capacity,
           default_channel_capacity = excluded.default_channel_capacity, max_concurrent = excluded.max_concurrent,
           queue_ids = excluded.queue_ids, updated_at = now()
         RETURNING *`,
      ),
    );
    return this.agentView(row!, await this.agentState(workspaceId, agent.agentId));
  }

  async createAgent(workspaceId: string, input: AgentInput): Promise<AgentView> {
    checkWorkspace(workspaceId);
    const agent = parseAgentInput(input);
    const row = await this.db.transaction(async (manager) => {
      const saved = await this.writeAgent(
        manager,
        workspaceId,
        agent,
        `INSERT INTO routing.agents (${AGENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (workspace_id, agent_id) DO NOTHING
         RETURNING *`,
      );
      if (!saved) throw new AlreadyExistsError(`agent ${agent.agentId} exists`);
      return saved;
    });
    return this.agentView(row, await this.agentState(workspaceId, agent.agentId));
  }

  async updateAgent(workspaceId: string, agentId: string, patch: AgentPatch): Promise<AgentView> {
    checkWorkspace(workspaceId);
    const row = await this.db.transaction(async (manager) => {
      // Locked from read to write, so two patches of one agent apply one after the other.
      const current = await manager.query<AgentRow[]>(
        'SELECT * FROM routing.agents WHERE workspace_id = $1 AND agent_id = $2 FOR UPDATE',
        [workspaceId, agentId],
      );
      if (current.length === 0) throw new NotFoundError(`agent ${agentId}`);
      const was = current[0]!;
      const agent = parseAgentInput(
        patchedAgent(
          {
            agentId,
            displayName: was.display_name,
            skills: was.skills,
            channelCapacity: was.channel_capacity,
            defaultChannelCapacity: was.default_channel_capacity,
            maxConcurrent: was.max_concurrent,
            queueIds: was.queue_ids,
          },
          patch,
        ),
      );
      const saved = await this.writeAgent(
        manager,
        workspaceId,
        agent,
        `UPDATE routing.agents SET
           display_name = $3, skills = $4, channel_capacity = $5, default_channel_capacity = $6,
           max_concurrent = $7, queue_ids = $8, updated_at = now()
         WHERE workspace_id = $1 AND agent_id = $2
         RETURNING *`,
      );
      return saved!;
    });
    return this.agentView(row, await this.agentState(workspaceId, agentId));
  }

  /**
   * Runs `sql` (an INSERT or UPDATE … RETURNING * taking the agent as `AGENT_COLUMNS`, $1 to $8)
   * and journals the agent's configuration for the owner when a row was written.
   */
  private async writeAgent(
    manager: EntityManager,
    workspaceId: string,
    agent: ReturnType<typeof parseAgentInput>,
    sql: string,
  ): Promise<AgentRow | undefined> {
    const [saved] = returnedRows<AgentRow>(
      await manager.query(sql, [
        workspaceId,
        agent.agentId,
        agent.displayName,
        JSON.stringify(agent.skills),
        JSON.stringify(agent.channelCapacity ?? {}),
        agent.defaultChannelCapacity ?? DEFAULT_CHANNEL_CAPACITY,
        agent.maxConcurrent ?? null,
        agent.queueIds ?? [],
      ]),
    );
    if (saved) {
      await this.journal.appendConfiguration(manager, workspaceId, {
        type: 'agent.configured',
        config: agentConfigFromRow(saved),
      });
    }
    return saved;
  }

  async getAgent(workspaceId: string, agentId: string): Promise<AgentView> {
    const row = await this.agentRow(workspaceId, agentId);
    return this.agentView(row, await this.agentState(workspaceId, agentId));
  }

  async listAgents(workspaceId: string): Promise<AgentView[]> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<(AgentRow & Partial<AgentStateRow>)[]>(
      `SELECT a.*, s.presence, s.load, s.load_by_channel, s.idle_since
       FROM routing.agents a LEFT JOIN routing.agent_states s USING (workspace_id, agent_id)
       WHERE a.workspace_id = $1 ORDER BY a.agent_id`,
      [workspaceId],
    );
    return rows.map((row) => this.agentView(row, row.presence ? (row as AgentStateRow) : undefined));
  }

  async removeAgent(workspaceId: string, agentId: string): Promise<void> {
    checkWorkspace(workspaceId);
    await this.db.transaction(async (manager) => {
      const deleted = returnedRows(
        await manager.query(
          'DELETE FROM routing.agents WHERE workspace_id = $1 AND agent_id = $2 RETURNING 1',
          [workspaceId, agentId],
        ),
      );
      if (deleted.length === 0) throw new NotFoundError(`agent ${agentId}`);
      await this.journal.appendConfiguration(manager, workspaceId, { type: 'agent.removed', agentId });
    });
  }

  async setPresence(
    workspaceId: string,
    agentId: string,
    presence: Presence,
    reason: PresenceReason,
  ): Promise<AgentView> {
    const parsedPresence = parseInput(presenceSchema, presence, 'presence');
    const parsedReason = parseInput(presenceReasonSchema, reason, 'presence reason');
    const row = await this.agentRow(workspaceId, agentId);
    await this.bus.publish({
      topic: Topics.agents,
      key: workspaceId,
      event: AgentPresenceChangedV1.create({
        workspaceId,
        payload: {
          agentId: row.agent_id,
          presence: parsedPresence,
          reason: parsedReason,
          changedAt: new Date().toISOString(),
        },
      }),
    });
    const state = await this.agentState(workspaceId, agentId);
    // The owner applies it from the log in a moment; the caller sees the presence it asked for.
    return this.agentView(row, state ? { ...state, presence: parsedPresence } : undefined, parsedPresence);
  }

  // ─── Queues ───────────────────────────────────────────────────────────────────────────────

  async upsertQueue(workspaceId: string, input: QueueInput): Promise<QueueView> {
    checkWorkspace(workspaceId);
    const queue = parseQueueInput(input);
    const queueId = queue.id ?? randomUUID();
    const row = await this.db
      .transaction(async (manager) => {
        const saved = await manager.query<QueueRow[]>(
          `INSERT INTO routing.queues
             (workspace_id, id, name, priority, entry, service_level, steps, mode, offer_timeout_seconds, max_missed_offers, preferred_agent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (workspace_id, id) DO UPDATE SET
             name = excluded.name, priority = excluded.priority, entry = excluded.entry,
             service_level = excluded.service_level, steps = excluded.steps, mode = excluded.mode,
             offer_timeout_seconds = excluded.offer_timeout_seconds, max_missed_offers = excluded.max_missed_offers,
             preferred_agent = excluded.preferred_agent, updated_at = now()
           RETURNING *`,
          [
            workspaceId,
            queueId,
            queue.name,
            queue.priority ?? 0,
            JSON.stringify(queue.entry ?? {}),
            JSON.stringify(queue.serviceLevel ?? { targetPercent: 80, withinSeconds: 60 }),
            JSON.stringify(
              (queue.steps ?? []).map((s) => ({
                expression: s.expression.trim(),
                expiresAfterSeconds: s.expiresAfterSeconds,
              })),
            ),
            queue.mode ?? 'auto',
            queue.offerTimeoutSeconds ?? 30,
            queue.maxMissedOffers ?? 3,
            queue.preferredAgent ? JSON.stringify(queue.preferredAgent) : null,
          ],
        );
        await this.journal.appendConfiguration(manager, workspaceId, {
          type: 'queue.configured',
          config: queueConfigFromRow(saved[0]!),
        });
        return saved[0]!;
      })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505')
          throw new AlreadyExistsError(`a queue named "${queue.name}" exists`);
        throw error;
      });
    return queueView(row);
  }

  async getQueue(workspaceId: string, queueId: string): Promise<QueueView> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<QueueRow[]>(
      'SELECT * FROM routing.queues WHERE workspace_id = $1 AND id = $2',
      [workspaceId, queueId],
    );
    if (rows.length === 0) throw new NotFoundError(`queue ${queueId}`);
    return queueView(rows[0]!);
  }

  async listQueues(workspaceId: string): Promise<QueueView[]> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<QueueRow[]>(
      'SELECT * FROM routing.queues WHERE workspace_id = $1 ORDER BY priority DESC, created_at, id',
      [workspaceId],
    );
    return rows.map(queueView);
  }

  async deleteQueue(workspaceId: string, queueId: string): Promise<void> {
    checkWorkspace(workspaceId);
    await this.db.transaction(async (manager) => {
      const deleted = returnedRows(
        await manager.query('DELETE FROM routing.queues WHERE workspace_id = $1 AND id = $2 RETURNING 1', [
          workspaceId,
          queueId,
        ]),
      );
      if (deleted.length === 0) throw new NotFoundError(`queue ${queueId}`);
      await this.journal.appendConfiguration(manager, workspaceId, { type: 'queue.removed', queueId });
    });
  }

  // ─── Supervision ──────────────────────────────────────────────────────────────────────────

  async getQueueStats(workspaceId: string): Promise<QueueStatsView[]> {
    checkWorkspace(workspaceId);
    const [queues, waiting, answered, agents] = await Promise.all([
      this.listQueues(workspaceId),
      this.db.query<{ queue_id: string | null; waiting: string; oldest: Date | null }[]>(
        `SELECT queue_id, count(*) AS waiting, min(arrived_at) AS oldest FROM routing.conversations
         WHERE workspace_id = $1 AND state = 'waiting' GROUP BY queue_id`,
        [workspaceId],
      ),
      this.db.query<{ queue_id: string | null; wait_seconds: number[] }[]>(
        `SELECT queue_id, array_agg(extract(epoch FROM assigned_at - arrived_at)::float8) AS wait_seconds
         FROM routing.conversations
         WHERE workspace_id = $1 AND assigned_at > now() - interval '1 hour' GROUP BY queue_id`,
        [workspaceId],
      ),
      this.listAgents(workspaceId),
    ]);
    const now = Date.now();
    // The default queue (id ''): conversations no queue's entry rule took — every one, until an admin
    // sets queues up — served by every agent. Without it a new workspace's stats read empty.
    const rows = [
      ...queues,
      { id: DEFAULT_QUEUE_ID, name: 'Default', serviceLevel: { targetPercent: 80, withinSeconds: 60 } },
    ];
    return rows.map((queue) => {
      const stored = queue.id === DEFAULT_QUEUE_ID ? null : queue.id;
      const w = waiting.find((r) => r.queue_id === stored);
      const waits = answered.find((r) => r.queue_id === stored)?.wait_seconds ?? [];
      const serving = agents.filter(
        (a) => stored === null || a.queueIds.length === 0 || a.queueIds.includes(queue.id),
      );
      const online = serving.filter((a) => a.presence === 'online');
      return {
        queueId: queue.id,
        name: queue.name,
        waiting: w ? Number(w.waiting) : 0,
        longestWaitSeconds: w?.oldest
          ? Math.max(0, Math.round((now - new Date(w.oldest).getTime()) / 1000))
          : 0,
        serviceLevelPercent:
          waits.length === 0
            ? null
            : Math.round(
                (1000 * waits.filter((s) => s <= queue.serviceLevel.withinSeconds).length) / waits.length,
              ) / 10,
        targetPercent: queue.serviceLevel.targetPercent,
        agentsOnline: online.length,
        agentsAvailable: online.filter((a) => a.load < a.capacity).length,
      };
    });
  }

  async getDecision(workspaceId: string, conversationId: string): Promise<RoutingDecisionView> {
    checkWorkspace(workspaceId);
    const id = parseInput(conversationIdSchema, conversationId, 'conversation id');
    const rows = await this.db.query<{ snapshot: ConversationSnapshot }[]>(
      'SELECT snapshot FROM routing.conversations WHERE workspace_id = $1 AND conversation_id = $2',
      [workspaceId, id],
    );
    const s = rows[0]?.snapshot;
    if (!s) {
      return {
        conversationId: id,
        state: 'unknown',
        queueId: null,
        agentId: null,
        currentStep: null,
        waitingSince: null,
        explanation: null,
        decidedAt: null,
      };
    }
    const queue = s.queueId ? await this.queueRow(workspaceId, s.queueId) : undefined;
    return {
      conversationId: id,
      state: s.state,
      queueId: s.queueId,
      agentId: s.agentId,
      currentStep:
        s.state === 'waiting'
          ? currentStep(queue ? queueConfigFromRow(queue).steps : [], Date.now() - s.arrivedAt)
          : null,
      waitingSince: s.state === 'waiting' ? new Date(s.arrivedAt).toISOString() : null,
      explanation: s.explanation,
      decidedAt: s.decidedAt === null ? null : new Date(s.decidedAt).toISOString(),
    };
  }

  // ─── Commands ─────────────────────────────────────────────────────────────────────────────

  async transfer(
    workspaceId: string,
    conversationId: string,
    to: TransferTarget,
    by: MessageSender,
    note?: string,
  ): Promise<void> {
    checkWorkspace(workspaceId);
    const id = parseInput(conversationIdSchema, conversationId, 'conversation id');
    const requestedBy = parseInput(messageSenderSchema, by, 'requester');
    if (note !== undefined && note.length > 1000) {
      throw new InvalidArgumentError('invalid note', [
        { field: 'note', description: 'at most 1000 characters' },
      ]);
    }
    const target = parseInput(transferTargetSchema, to, 'transfer target');
    if ('agentId' in target) await this.agentRow(workspaceId, target.agentId);
    else if (!(await this.queueRow(workspaceId, target.queueId)))
      throw new NotFoundError(`queue ${target.queueId}`);
    await this.conversationState(workspaceId, id, ['waiting', 'offered', 'assigned']);
    await this.bus.publish({
      topic: Topics.routingCommands,
      key: workspaceId,
      event: ConversationTransferRequestedV1.create({
        workspaceId,
        payload: { conversationId: id, to: target, requestedBy, note, requestedAt: new Date().toISOString() },
      }),
    });
  }

  async answerOffer(
    workspaceId: string,
    conversationId: string,
    agentId: string,
    accepted: boolean,
  ): Promise<void> {
    checkWorkspace(workspaceId);
    const id = parseInput(conversationIdSchema, conversationId, 'conversation id');
    const agent = parseInput(agentIdSchema, agentId, 'agent id');
    const snapshot = await this.conversationState(workspaceId, id, ['offered']);
    if (snapshot.agentId !== agent)
      throw new FailedPreconditionError(`conversation ${id} is not offered to ${agent}`);
    await this.bus.publish({
      topic: Topics.routingCommands,
      key: workspaceId,
      event: ConversationOfferAnsweredV1.create({
        workspaceId,
        payload: { conversationId: id, agentId: agent, accepted, answeredAt: new Date().toISOString() },
      }),
    });
  }

  // ─── Helpers ──────────────────────────────────────────────────────────────────────────────

  private async agentRow(workspaceId: string, agentId: string): Promise<AgentRow> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<AgentRow[]>(
      'SELECT * FROM routing.agents WHERE workspace_id = $1 AND agent_id = $2',
      [workspaceId, agentId],
    );
    if (rows.length === 0) throw new NotFoundError(`agent ${agentId}`);
    return rows[0]!;
  }

  private async agentState(workspaceId: string, agentId: string): Promise<AgentStateRow | undefined> {
    const rows = await this.db.query<AgentStateRow[]>(
      'SELECT presence, load, load_by_channel, idle_since FROM routing.agent_states WHERE workspace_id = $1 AND agent_id = $2',
      [workspaceId, agentId],
    );
    return rows[0];
  }

  private async queueRow(workspaceId: string, queueId: string): Promise<QueueRow | undefined> {
    const rows = await this.db.query<QueueRow[]>(
      'SELECT * FROM routing.queues WHERE workspace_id = $1 AND id = $2',
      [workspaceId, queueId],
    );
    return rows[0];
  }

  private async conversationState(
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

  private agentView(row: AgentRow, state: AgentStateRow | undefined, presence?: Presence): AgentView {
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

function checkWorkspace(workspaceId: string): void {
  parseInput(workspaceIdSchema, workspaceId, 'workspace id');
}

function queueView(row: QueueRow): QueueView {
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

function currentStep(steps: readonly { expiresAfterSeconds: number | null }[], waitedMs: number): number {
  let elapsed = 0;
  for (let i = 0; i < steps.length; i++) {
    const expiry = steps[i]!.expiresAfterSeconds;
    if (expiry === null) return i;
    elapsed += expiry * 1000;
    if (waitedMs < elapsed) return i;
  }
  return steps.length;
}
