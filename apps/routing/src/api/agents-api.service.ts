import { Inject, Injectable } from '@nestjs/common';
import {
  AgentPresenceChangedV1,
  AlreadyExistsError,
  NotFoundError,
  presenceSchema,
  type AgentInput,
  type AgentPatch,
  type AgentView,
  type Presence,
  type PresenceReason,
  patchedAgent,
} from '@switchboard/contracts';
import { Clock, InjectServiceDataSource, returnedRows } from '@switchboard/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { agentConfigFromRow, type AgentRow } from '../workspaces/routing-rows.js';
import { EventBus } from '@switchboard/messaging';
import { RoutingJournalRepository } from '../inputs/routing-journal.repository.js';
import {
  checkWorkspace,
  parseAgentInput,
  parseInput,
  presenceReasonSchema,
} from './routing-api.validation.js';
import { type AgentStateRow, RoutingReadsRepository } from './routing-reads.repository.js';

const DEFAULT_CHANNEL_CAPACITY = 5;

/** The columns an agent write takes, in the order of its parameters. */
const AGENT_COLUMNS =
  'workspace_id, agent_id, display_name, skills, channel_capacity, default_channel_capacity, max_concurrent, queue_ids';

/** The team: agents' configuration (written with its journal entry) and their presence (a command on the log). */
@Injectable()
export class AgentsApiService {
  constructor(
    @InjectServiceDataSource('routing') private readonly db: DataSource,
    @Inject(EventBus) private readonly bus: EventBus,
    private readonly journal: RoutingJournalRepository,
    private readonly reads: RoutingReadsRepository,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

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
    return this.reads.agentView(row!, await this.reads.agentState(workspaceId, agent.agentId));
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
    return this.reads.agentView(row, await this.reads.agentState(workspaceId, agent.agentId));
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
    return this.reads.agentView(row, await this.reads.agentState(workspaceId, agentId));
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
    const row = await this.reads.agentRow(workspaceId, agentId);
    return this.reads.agentView(row, await this.reads.agentState(workspaceId, agentId));
  }

  async listAgents(workspaceId: string): Promise<AgentView[]> {
    checkWorkspace(workspaceId);
    const rows = await this.db.query<(AgentRow & Partial<AgentStateRow>)[]>(
      `SELECT a.*, s.presence, s.load, s.load_by_channel, s.idle_since
       FROM routing.agents a LEFT JOIN routing.agent_states s USING (workspace_id, agent_id)
       WHERE a.workspace_id = $1 ORDER BY a.agent_id`,
      [workspaceId],
    );
    return rows.map((row) => this.reads.agentView(row, row.presence ? (row as AgentStateRow) : undefined));
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
    const row = await this.reads.agentRow(workspaceId, agentId);
    await this.bus.emit(
      AgentPresenceChangedV1.create({
        workspaceId,
        payload: {
          agentId: row.agent_id,
          presence: parsedPresence,
          reason: parsedReason,
          changedAt: this.clock.iso(),
        },
      }),
    );
    const state = await this.reads.agentState(workspaceId, agentId);
    // The owner applies it from the log in a moment; the caller sees the presence it asked for.
    return this.reads.agentView(
      row,
      state ? { ...state, presence: parsedPresence } : undefined,
      parsedPresence,
    );
  }
}
