import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  type Page,
  WEB_CHANNEL_API,
  type WebChannelApi,
} from '@switchboard/contracts';
import { InjectServiceDataSource, createLogger } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { generatePassword } from '../auth/password.util.js';
import type { SessionContext } from '../auth/session-context.js';
import { type IssuedSession, SessionsService } from '../auth/sessions.service.js';
import { UUID, type User, type UserRow, toUser } from '../users/user.js';
import { UsersService } from '../users/users.service.js';
import { ReportingClockService } from '../reports/reporting-clock.service.js';
import {
  type BusinessHours,
  type MembershipView,
  type WorkspaceRow,
  type WorkspaceSummary,
  type WorkspaceView,
  toWorkspaceView,
} from './workspace.js';

export interface NewWorkspace {
  readonly name: string;
  readonly timeZone?: string;
  readonly admin: {
    readonly email: string;
    readonly displayName: string;
    /** Absent: one is generated and returned once (the CLI prints it). */
    readonly password?: string;
  };
}

/**
 * Workspaces: created by sign-up, by the CLI, or by a signed-in person for themself; their
 * settings (name, time zone, business hours); the workspaces a person belongs to and switching
 * between them; the operator's list. A person's rows in several workspaces share an account id,
 * set only when they were signed in as that account (see the migration): nothing links rows by an
 * email alone.
 */
@Injectable()
export class WorkspacesService {
  private readonly logger = createLogger('inbox.workspaces');

  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    // Absent in the CLI's composition (create and list only); the inbox always has it.
    @Optional() @Inject(WEB_CHANNEL_API) private readonly web: WebChannelApi | null,
    // Absent in the CLI's composition too. A union type's metadata is Object: the token is explicit.
    @Optional()
    @Inject(ReportingClockService)
    private readonly reportingClock: ReportingClockService | null,
  ) {}

  /** A new workspace and its first admin. */
  async create(
    input: NewWorkspace,
  ): Promise<{ workspace: WorkspaceView; admin: User; generatedPassword: string | null }> {
    const password = input.admin.password ?? generatePassword();
    const { row, admin } = await this.db.transaction(async (tx) => {
      const row = await this.insert(tx, input);
      const admin = await this.users.create(
        {
          workspaceId: row.id,
          email: input.admin.email,
          displayName: input.admin.displayName,
          role: 'admin',
          password,
        },
        tx,
      );
      return { row, admin };
    });
    this.logger.info({ workspaceId: row.id }, 'workspace created');
    return {
      workspace: toWorkspaceView(row),
      admin,
      generatedPassword: input.admin.password === undefined ? password : null,
    };
  }

  /**
   * A signed-in person creates another workspace: they are its admin, with the same email and
   * password, linked to their account so that they can switch to it.
   */
  async createForMember(session: SessionContext, input: { name: string; timeZone?: string }) {
    const me = await this.users.findRow(session.workspaceId, session.userId);
    if (!me) throw new NotFoundError('user');
    const row = await this.db.transaction(async (tx) => {
      const row = await this.insert(tx, input);
      await this.users.createLinked(
        me,
        { workspaceId: row.id, displayName: me.display_name, role: 'admin' },
        tx,
      );
      return row;
    });
    this.logger.info({ workspaceId: row.id }, 'workspace created');
    return toWorkspaceView(row);
  }

  private async insert(tx: EntityManager, input: { name: string; timeZone?: string }): Promise<WorkspaceRow> {
    const [row] = await tx.query<WorkspaceRow[]>(
      'INSERT INTO inbox.workspaces (id, name, time_zone) VALUES ($1, $2, $3) RETURNING *',
      [randomUUID(), input.name, input.timeZone ?? 'UTC'],
    );
    return row!;
  }

  async get(workspaceId: string): Promise<WorkspaceView> {
    const [row] = await this.db.query<WorkspaceRow[]>('SELECT * FROM inbox.workspaces WHERE id = $1', [
      workspaceId,
    ]);
    if (!row) throw new NotFoundError('workspace');
    return toWorkspaceView(row);
  }

  /**
   * Name, time zone, business hours. Business hours (with the time zone) are also the web chat's:
   * outside them the widget offers its offline form.
   */
  async update(
    workspaceId: string,
    patch: { name?: string; timeZone?: string; businessHours?: BusinessHours | null },
  ): Promise<WorkspaceView> {
    const [[row]] = await this.db.query<[WorkspaceRow[], number]>(
      `UPDATE inbox.workspaces SET
         name = COALESCE($2, name),
         time_zone = COALESCE($3, time_zone),
         business_hours = CASE WHEN $4::boolean THEN $5::jsonb ELSE business_hours END,
         updated_at = now()
       WHERE id = $1 RETURNING *`,
      [
        workspaceId,
        patch.name ?? null,
        patch.timeZone ?? null,
        patch.businessHours !== undefined,
        patch.businessHours === undefined || patch.businessHours === null
          ? null
          : JSON.stringify(patch.businessHours),
      ],
    );
    if (!row) throw new NotFoundError('workspace');
    if (
      this.web !== null &&
      (patch.businessHours !== undefined || (patch.timeZone !== undefined && row.business_hours !== null))
    ) {
      await this.web.updateWidgetSettings(workspaceId, {
        appearance: {
          businessHours:
            row.business_hours === null ? null : { timeZone: row.time_zone, weekly: row.business_hours },
        },
      });
    }
    if (this.reportingClock && (patch.timeZone !== undefined || patch.businessHours !== undefined))
      await this.reportingClock.handOver(workspaceId, {
        timeZone: row.time_zone,
        businessHours: row.business_hours,
      });
    return toWorkspaceView(row);
  }

  /** The workspaces the signed-in person belongs to (enabled rows of their account). */
  async memberships(session: SessionContext): Promise<MembershipView[]> {
    const rows = await this.db.query<{ workspace_id: string; name: string; role: MembershipView['role'] }[]>(
      `SELECT u.workspace_id, w.name, u.role
       FROM inbox.users me
       JOIN inbox.users u ON COALESCE(u.account_id, u.id) = COALESCE(me.account_id, me.id)
       JOIN inbox.workspaces w ON w.id = u.workspace_id
       WHERE me.id = $1 AND u.disabled_at IS NULL
       ORDER BY w.name, w.id`,
      [session.userId],
    );
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      name: r.name,
      role: r.role,
      current: r.workspace_id === session.workspaceId,
    }));
  }

  /** Signs the person into another of their workspaces: a new session there; this one ends. */
  async switchTo(
    session: SessionContext,
    workspaceId: string,
  ): Promise<{ user: User; session: IssuedSession }> {
    const [target] = await this.db.query<UserRow[]>(
      `SELECT u.* FROM inbox.users me
       JOIN inbox.users u ON COALESCE(u.account_id, u.id) = COALESCE(me.account_id, me.id)
       WHERE me.id = $1 AND u.workspace_id = $2`,
      [session.userId, workspaceId],
    );
    if (!target) throw new NotFoundError('workspace');
    if (target.disabled_at !== null)
      throw new FailedPreconditionError('your user in that workspace is disabled');
    return this.db.transaction(async (tx) => {
      const issued = await this.sessions.issue({ id: target.id, workspaceId: target.workspace_id }, tx);
      await this.sessions.end(session.sessionId, tx);
      return { user: toUser(target), session: issued };
    });
  }

  /**
   * Names (or no longer) a user the installation's operator (ADR 0059): for the CLI, whose shell on
   * the server is the operator's proof. Takes effect on the user's next request: on this replica
   * their cached sessions go before the change commits, on the others when its notification comes.
   */
  async setOperator(workspaceId: string, email: string, operator: boolean): Promise<User> {
    return this.db.transaction(async (tx) => {
      const [rows] = await tx.query<[UserRow[], number]>(
        'UPDATE inbox.users SET operator = $3, updated_at = now() WHERE workspace_id = $1 AND email = $2 RETURNING *',
        [workspaceId, email.toLowerCase(), operator],
      );
      if (!rows[0]) throw new NotFoundError(`user ${email} in workspace ${workspaceId}`);
      this.sessions.revokeUser(rows[0].id);
      return toUser(rows[0]);
    });
  }

  /**
   * Every workspace of the installation, oldest first, a page at a time (the operator's screen and
   * `npm run workspace -- list`): members are enabled users, admins their emails.
   */
  async listPage(query: { pageSize?: number; pageToken?: string }): Promise<Page<WorkspaceSummary>> {
    const size = Math.min(Math.max(query.pageSize ?? 50, 1), 200);
    const after = decodeWorkspacePageToken(query.pageToken);
    const rows = await this.db.query<
      {
        id: string;
        name: string;
        time_zone: string;
        members: number;
        admins: string[] | null;
        created_at: Date;
        position: string;
      }[]
    >(
      // `position`: created_at to the microsecond (an ISO string in JS keeps milliseconds only).
      `SELECT w.id, w.name, w.time_zone, w.created_at, to_json(w.created_at) #>> '{}' AS position,
              count(u.id) FILTER (WHERE u.disabled_at IS NULL)::int AS members,
              array_agg(u.email ORDER BY u.email) FILTER (WHERE u.role = 'admin' AND u.disabled_at IS NULL) AS admins
       FROM inbox.workspaces w LEFT JOIN inbox.users u ON u.workspace_id = w.id
       WHERE $1::timestamptz IS NULL OR (w.created_at, w.id) > ($1::timestamptz, $2::uuid)
       GROUP BY w.id ORDER BY w.created_at, w.id LIMIT $3`,
      [after?.createdAt ?? null, after?.id ?? null, size + 1],
    );
    const items = rows.slice(0, size).map((r) => ({
      id: r.id,
      name: r.name,
      timeZone: r.time_zone,
      members: r.members,
      admins: r.admins ?? [],
      createdAt: r.created_at.toISOString(),
    }));
    const last = rows[size - 1];
    return {
      items,
      nextPageToken:
        rows.length > size && last
          ? encodeWorkspacePageToken({ createdAt: last.position, id: last.id })
          : null,
    };
  }
}

/** Opaque to clients: the keyset position (created_at, id) of the page's last workspace. */
function encodeWorkspacePageToken(last: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

function decodeWorkspacePageToken(token: string | undefined): { createdAt: string; id: string } | null {
  if (token === undefined || token === '') return null;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(token, 'base64url').toString()) as unknown[];
    if (
      typeof createdAt === 'string' &&
      !Number.isNaN(Date.parse(createdAt)) &&
      typeof id === 'string' &&
      UUID.test(id)
    )
      return { createdAt, id };
  } catch {
    // falls through to the error below
  }
  throw new InvalidArgumentError('invalid page token', [
    { field: 'pageToken', description: 'from a previous page' },
  ]);
}
