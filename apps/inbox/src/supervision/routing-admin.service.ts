import { Injectable, Inject } from '@nestjs/common';
import {
  type AgentInput,
  type AgentView,
  NotFoundError,
  type Presence,
  type QueueInput,
  type QueueStatsView,
  type QueueView,
  ROUTING_API,
  type RoutingApi,
} from '@switchboard/contracts';
import type { SessionContext } from '../auth/session-context.js';
import { AgentEnrolmentService } from '../live/agent-enrolment.service.js';
import { UsersService } from '../users/users.service.js';

/** Presence, supervision and routing settings, over RoutingApi, for the session's workspace. */
@Injectable()
export class RoutingAdminService {
  constructor(
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
    private readonly users: UsersService,
    private readonly enrolment: AgentEnrolmentService,
  ) {}

  /** The agent's own choice: applied now and remembered for their next sign-in. */
  setOwnPresence(session: SessionContext, presence: Presence): Promise<AgentView> {
    return this.enrolment.choosePresence(session.workspaceId, session.userId, presence);
  }

  listAgents(session: SessionContext): Promise<AgentView[]> {
    return this.routing.listAgents(session.workspaceId);
  }

  listQueues(session: SessionContext): Promise<QueueView[]> {
    return this.routing.listQueues(session.workspaceId);
  }

  queueStats(session: SessionContext): Promise<QueueStatsView[]> {
    return this.routing.getQueueStats(session.workspaceId);
  }

  upsertQueue(session: SessionContext, input: QueueInput): Promise<QueueView> {
    return this.routing.upsertQueue(session.workspaceId, input);
  }

  deleteQueue(session: SessionContext, queueId: string): Promise<void> {
    return this.routing.deleteQueue(session.workspaceId, queueId);
  }

  /** Agents are the workspace's users: an id that is not one reads as not found. */
  async upsertAgent(session: SessionContext, input: Omit<AgentInput, 'displayName'>): Promise<AgentView> {
    const user = await this.users.findRow(session.workspaceId, input.agentId);
    if (!user) throw new NotFoundError('user');
    return this.routing.upsertAgent(session.workspaceId, { ...input, displayName: user.display_name });
  }
}
