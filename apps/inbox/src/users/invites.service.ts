import { Injectable, Inject } from '@nestjs/common';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  NotFoundError,
  ROUTING_API,
  type RoutingApi,
} from '@switchboard/contracts';
import { InjectServiceDataSource, createLogger } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { assertPasswordPolicy } from '../auth/auth.service.js';
import type { Role } from '../auth/role.js';
import { hashSecretToken, newSecretToken } from '../auth/secret-token.util.js';
import { type IssuedSession, SessionsService } from '../auth/sessions.service.js';
import type { SessionContext } from '../auth/session-context.js';
import { type User, toUser } from './user.js';
import { UsersService } from './users.service.js';

/** An invite link works for this long, once. */
export const INVITE_TTL_HOURS = 72;

export interface InviteView {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly revokedAt: string | null;
}

interface InviteRow {
  id: string;
  workspace_id: string;
  email: string;
  display_name: string;
  role: Role;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

const toView = (row: InviteRow): InviteView => ({
  id: row.id,
  email: row.email,
  displayName: row.display_name,
  role: row.role,
  createdAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
  usedAt: row.used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

/**
 * Admins invite people by link: the token (256 random bits) is shown once to the admin and only
 * its hash is stored; accepting it is a single UPDATE … WHERE unused AND unexpired, so two tabs
 * racing on one link create one user.
 */
@Injectable()
export class InvitesService {
  private readonly logger = createLogger('inbox.invites');

  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
  ) {}

  async create(
    workspaceId: string,
    by: string,
    input: { email: string; displayName: string; role: Role },
  ): Promise<{ invite: InviteView; token: string }> {
    const email = input.email.toLowerCase();
    const existing = await this.db.query<unknown[]>(
      'SELECT 1 FROM inbox.users WHERE workspace_id = $1 AND email = $2',
      [workspaceId, email],
    );
    if (existing.length > 0) throw new AlreadyExistsError(`${email} is already a user`);
    const token = newSecretToken();
    const rows: InviteRow[] = await this.db.query(
      `INSERT INTO inbox.invites (id, workspace_id, email, display_name, role, token_hash, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(hours => $8)) RETURNING *`,
      [
        randomUUID(),
        workspaceId,
        email,
        input.displayName,
        input.role,
        hashSecretToken(token),
        by,
        INVITE_TTL_HOURS,
      ],
    );
    return { invite: toView(rows[0]!), token };
  }

  async list(workspaceId: string): Promise<InviteView[]> {
    const rows: InviteRow[] = await this.db.query(
      'SELECT * FROM inbox.invites WHERE workspace_id = $1 ORDER BY created_at DESC LIMIT 200',
      [workspaceId],
    );
    return rows.map(toView);
  }

  async revoke(workspaceId: string, inviteId: string): Promise<void> {
    const result: [unknown[], number] = await this.db.query(
      `UPDATE inbox.invites SET revoked_at = now()
       WHERE workspace_id = $1 AND id::text = $2 AND used_at IS NULL AND revoked_at IS NULL`,
      [workspaceId, inviteId],
    );
    if (result[1] === 0) throw new NotFoundError('invite');
  }

  /** What the acceptance page shows before the person picks a password (or joins as themself). */
  async peek(token: string): Promise<InviteView & { workspaceName: string }> {
    const rows: (InviteRow & { workspace_name: string })[] = await this.db.query(
      `SELECT i.*, w.name AS workspace_name FROM inbox.invites i JOIN inbox.workspaces w ON w.id = i.workspace_id
       WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`,
      [hashSecretToken(token)],
    );
    if (!rows[0]) throw new NotFoundError('invite (it may have expired or been used)');
    return { ...toView(rows[0]), workspaceName: rows[0].workspace_name };
  }

  /**
   * A signed-in person accepts an invite for their own email: their row in the inviting workspace
   * is linked to their account (same email and password, ADR 0058) and they are switched there —
   * a new session for that row, the current one ended — instead of keeping a second password.
   */
  async join(session: SessionContext, token: string): Promise<{ user: User; session: IssuedSession }> {
    const { user, issued } = await this.db.transaction(async (tx) => {
      const invite = await this.consume(tx, token);
      const me = await this.users.findRow(session.workspaceId, session.userId);
      if (!me) throw new NotFoundError('user');
      // The link is the secret, but a row made from it carries the invite's email: someone signed in
      // as another email accepts it by signing out, as a new user.
      if (invite.email !== me.email)
        throw new FailedPreconditionError(
          `this invite is for ${invite.email}: sign out to accept it as that person`,
        );
      const row = await this.users
        .createLinked(
          me,
          { workspaceId: invite.workspace_id, displayName: me.display_name, role: invite.role },
          tx,
        )
        .catch((error: unknown) => {
          if (error instanceof AlreadyExistsError) throw new FailedPreconditionError(error.message);
          throw error;
        });
      const issued = await this.sessions.issue({ id: row.id, workspaceId: row.workspace_id }, tx);
      await this.sessions.end(session.sessionId, tx);
      return { user: toUser(row), issued };
    });
    await this.registerAgent(user);
    return { user, session: issued };
  }

  async accept(
    token: string,
    input: { password: string; displayName?: string },
  ): Promise<{ user: User; session: IssuedSession }> {
    assertPasswordPolicy(input.password);
    const { user, session } = await this.db.transaction(async (tx) => {
      const invite = await this.consume(tx, token);
      const created = await this.users
        .create(
          {
            workspaceId: invite.workspace_id,
            email: invite.email,
            displayName: input.displayName?.trim() || invite.display_name,
            role: invite.role,
            password: input.password,
          },
          tx,
        )
        .catch((error: unknown) => {
          if (error instanceof AlreadyExistsError) throw new FailedPreconditionError(error.message);
          throw error;
        });
      return { user: created, session: await this.sessions.issue(created, tx) };
    });
    await this.registerAgent(user);
    return { user, session };
  }

  /** Marks the invite used, in the caller's transaction: two tabs racing on one link, one wins. */
  private async consume(tx: EntityManager, token: string): Promise<InviteRow> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows] = await tx.query<[InviteRow[], number]>(
      `UPDATE inbox.invites SET used_at = now()
       WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
       RETURNING *`,
      [hashSecretToken(token)],
    );
    if (!rows[0]) throw new NotFoundError('invite (it may have expired or been used)');
    return rows[0];
  }

  /** Agent ids in routing are the inbox's user ids (RoutingApi), so whoever joins can be routed to. */
  private async registerAgent(user: User): Promise<void> {
    if (user.role === 'admin') return;
    try {
      await this.routing.upsertAgent(user.workspaceId, {
        agentId: user.id,
        displayName: user.displayName,
        skills: [],
      });
    } catch (error) {
      // The user exists and can sign in; an admin can save the agent again from the agents screen.
      this.logger.warn({ err: error, userId: user.id }, 'could not register the new user with routing');
    }
  }
}
