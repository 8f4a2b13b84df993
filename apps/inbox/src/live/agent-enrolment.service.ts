import { Inject, Injectable } from '@nestjs/common';
import {
  AlreadyExistsError,
  NotFoundError,
  type AgentView,
  type Presence,
  ROUTING_API,
  type RoutingApi,
} from '@switchboard/contracts';
import { InjectServiceDataSource, createLogger } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { UsersService } from '../users/users.service.js';

/**
 * Every user of the inbox is an agent routing can assign to — admins included: on a small team the
 * admin who set Switchboard up is the one answering, and the supervisor screen lists them. A user
 * is enrolled in routing the first time they connect or pick a presence (invites enrol agents and
 * supervisors at once; the first admin, created before routing may be reachable, is enrolled so).
 *
 * It also remembers the presence each agent chose last, so that signing in sets them online
 * unless they chose otherwise (routing only knows the current presence, which a closed tab turns
 * to offline).
 */
@Injectable()
export class AgentEnrolmentService {
  private readonly logger = createLogger('inbox.presence');

  constructor(
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    private readonly users: UsersService,
  ) {}

  /** The user's agent in routing, created with no skills (every queue's default) when missing. */
  async ensureAgent(workspaceId: string, userId: string): Promise<AgentView> {
    try {
      return await this.routing.getAgent(workspaceId, userId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    const user = await this.users.findRow(workspaceId, userId);
    if (!user) throw new NotFoundError('user');
    try {
      const agent = await this.routing.createAgent(workspaceId, {
        agentId: userId,
        displayName: user.display_name,
        skills: [],
      });
      this.logger.info({ userId }, 'enrolled the user as an agent in routing');
      return agent;
    } catch (error) {
      // Two tabs connecting together: the other one enrolled them.
      if (error instanceof AlreadyExistsError) return this.routing.getAgent(workspaceId, userId);
      throw error;
    }
  }

  /** What the agent picked last; null when they never picked (then: online when connected). */
  async chosenPresence(workspaceId: string, userId: string): Promise<Presence | null> {
    const rows: { presence: Presence }[] = await this.db.query(
      'SELECT presence FROM inbox.presence_choices WHERE workspace_id = $1 AND user_id = $2',
      [workspaceId, userId],
    );
    return rows[0]?.presence ?? null;
  }

  /** Sets the agent's presence in routing now and remembers it as their choice. */
  async choosePresence(workspaceId: string, userId: string, presence: Presence): Promise<AgentView> {
    await this.ensureAgent(workspaceId, userId);
    const agent = await this.routing.setPresence(workspaceId, userId, presence, 'agent');
    await this.db.query(
      `INSERT INTO inbox.presence_choices (workspace_id, user_id, presence) VALUES ($1, $2, $3)
       ON CONFLICT (workspace_id, user_id) DO UPDATE SET presence = excluded.presence, chosen_at = now()`,
      [workspaceId, userId, presence],
    );
    return agent;
  }
}
