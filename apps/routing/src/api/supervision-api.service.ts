import { Injectable } from '@nestjs/common';
import {
  type BotConversationView,
  type QueueStatsView,
  type RoutingDecisionView,
} from '@switchboard/contracts';
import type { ConversationSnapshot } from '../core/routing-types.js';
import { queueConfigFromRow } from '../workspaces/routing-rows.js';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { checkWorkspace, conversationIdSchema, parseInput } from './routing-api.validation.js';
import { AgentsApiService } from './agents-api.service.js';
import { QueuesApiService } from './queues-api.service.js';
import { RoutingReadsRepository } from './routing-reads.repository.js';

/** The engine's default queue, as the stats name it (no configured queue may have an empty id). */
const DEFAULT_QUEUE_ID = '';

/** What supervisors watch: each queue's waiting and service level, and why a conversation went where it did. */
@Injectable()
export class SupervisionApiService {
  constructor(
    @InjectServiceDataSource('routing') private readonly db: DataSource,
    private readonly reads: RoutingReadsRepository,
    private readonly agents: AgentsApiService,
    private readonly queues: QueuesApiService,
  ) {}

  async getQueueStats(workspaceId: string): Promise<QueueStatsView[]> {
    checkWorkspace(workspaceId);
    const [queues, waiting, answered, agents] = await Promise.all([
      this.queues.listQueues(workspaceId),
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
      this.agents.listAgents(workspaceId),
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
        handoff: null,
      };
    }
    const queue = s.queueId ? await this.reads.queueRow(workspaceId, s.queueId) : undefined;
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
      handoff: s.handoff
        ? { reason: s.handoff.reason, handedOffAt: new Date(s.handoff.at).toISOString() }
        : null,
    };
  }

  /** What the bot holds now, from what the workspace's owner persisted (partial index on active rows). */
  async listBotConversations(workspaceId: string): Promise<BotConversationView[]> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<{ snapshot: ConversationSnapshot }[]>(
      `SELECT snapshot FROM routing.conversations WHERE workspace_id = $1 AND state = 'bot'
       ORDER BY arrived_at LIMIT 1000`,
      [workspaceId],
    );
    return rows.map(({ snapshot: s }) => ({
      conversationId: s.conversationId,
      customerId: s.customerId,
      channel: s.channel,
      since: new Date(s.arrivedAt).toISOString(),
      replyDeadline: s.botDeadline ? new Date(s.botDeadline).toISOString() : null,
    }));
  }
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
