import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  Inject,
} from '@nestjs/common';
import { ApiError, NotFoundError, type Presence, ROUTING_API, type RoutingApi } from '@switchboard/contracts';
import { type ConfigOf, InjectConfig, InjectServiceDataSource, createLogger } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { InboxConfig } from '../inbox.config.js';
import { AgentEnrolmentService } from './agent-enrolment.service.js';
import { InboxReplica } from './replica-id.util.js';

const HEARTBEAT_MS = 10_000;
/** A replica silent this long is gone (crashed, partitioned): its sockets no longer count. */
const REPLICA_DEAD_AFTER_SECONDS = 45;

/**
 * Agents' presence from their WebSockets: a connected agent is online, one whose last tab
 * disconnected goes offline after a grace period. Connections are counted across replicas in
 * `inbox.live_connections` (one row per socket, tagged with its replica, replicas heartbeating in
 * `inbox.replicas`), so a reload that lands on another replica does not flap the agent offline,
 * and a crashed replica's agents are set offline by the survivors (ADR 0052).
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('inbox.presence');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly replica: InboxReplica,
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
    private readonly enrolment: AgentEnrolmentService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(() => {
      this.beat().catch((error: unknown) => this.logger.warn({ err: error }, 'presence heartbeat failed'));
    }, HEARTBEAT_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    for (const timer of this.timers.values()) clearTimeout(timer);
    // Our sockets are closing with us; the clients reconnect to another replica within the grace.
    await this.db
      .query('DELETE FROM inbox.replicas WHERE replica_id = $1', [this.replica.id])
      .catch(() => undefined);
  }

  /** Returns the connection id to pass to `disconnected`. */
  async connected(workspaceId: string, userId: string): Promise<string> {
    const timer = this.timers.get(userId);
    if (timer) clearTimeout(timer);
    this.timers.delete(userId);
    const id = randomUUID();
    await this.db.query(
      'INSERT INTO inbox.live_connections (id, workspace_id, user_id, replica_id) VALUES ($1, $2, $3, $4)',
      [id, workspaceId, userId, this.replica.id],
    );
    // Signing in makes an agent available unless they chose otherwise (away stays away; a chosen
    // offline stays offline). Users routing doesn't know yet (the first admin) are enrolled.
    const chosen = await this.enrolment.chosenPresence(workspaceId, userId);
    if (chosen !== 'offline') {
      await this.enrolment.ensureAgent(workspaceId, userId).catch((error: unknown) => {
        if (!(error instanceof ApiError)) throw error;
        this.logger.warn({ err: error, userId }, 'could not enrol the user as an agent');
      });
      await this.setIf(workspaceId, userId, chosen ?? 'online', (current) => current === 'offline');
    }
    return id;
  }

  async disconnected(workspaceId: string, userId: string, connectionId: string): Promise<void> {
    await this.db.query('DELETE FROM inbox.live_connections WHERE id = $1', [connectionId]);
    if (this.closing) return;
    const previous = this.timers.get(userId);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.timers.delete(userId);
      this.goOfflineIfGone(workspaceId, userId).catch((error: unknown) =>
        this.logger.warn({ err: error, userId }, 'could not set a disconnected agent offline'),
      );
    }, this.config.INBOX_PRESENCE_GRACE_SECONDS * 1000);
    timer.unref();
    this.timers.set(userId, timer);
  }

  private async goOfflineIfGone(workspaceId: string, userId: string): Promise<void> {
    if (await this.liveConnections(userId)) return;
    await this.setIf(workspaceId, userId, 'offline', (current) => current !== 'offline');
  }

  private async liveConnections(userId: string): Promise<number> {
    const [row] = await this.db.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM inbox.live_connections c JOIN inbox.replicas r USING (replica_id)
       WHERE c.user_id = $1 AND r.seen_at > now() - make_interval(secs => $2)`,
      [userId, REPLICA_DEAD_AFTER_SECONDS],
    );
    return row.n;
  }

  private async setIf(
    workspaceId: string,
    userId: string,
    presence: Presence,
    when: (current: string) => boolean,
  ): Promise<void> {
    try {
      const agent = await this.routing.getAgent(workspaceId, userId);
      if (!when(agent.presence)) return;
      await this.routing.setPresence(workspaceId, userId, presence, 'connection');
      this.logger.info({ userId, presence }, 'agent presence from connection');
    } catch (error) {
      // Admins who are not agents have no presence in routing.
      if (error instanceof NotFoundError) return;
      if (error instanceof ApiError)
        this.logger.warn({ err: error, userId }, 'routing refused a presence change');
      else throw error;
    }
  }

  /** Heartbeat, then sweep the sockets of replicas that stopped beating (one survivor takes each row). */
  private async beat(): Promise<void> {
    await this.db.query(
      `INSERT INTO inbox.replicas (replica_id) VALUES ($1)
       ON CONFLICT (replica_id) DO UPDATE SET seen_at = now()`,
      [this.replica.id],
    );
    const [orphans] = await this.db.query<[{ workspace_id: string; user_id: string }[], number]>(
      `DELETE FROM inbox.live_connections c
       WHERE NOT EXISTS (SELECT 1 FROM inbox.replicas r WHERE r.replica_id = c.replica_id
                         AND r.seen_at > now() - make_interval(secs => $1))
       RETURNING workspace_id, user_id`,
      [REPLICA_DEAD_AFTER_SECONDS],
    );
    await this.db.query("DELETE FROM inbox.replicas WHERE seen_at < now() - interval '1 day'");
    for (const orphan of new Map(orphans.map((o) => [o.user_id, o])).values()) {
      await this.goOfflineIfGone(orphan.workspace_id, orphan.user_id);
    }
  }
}
