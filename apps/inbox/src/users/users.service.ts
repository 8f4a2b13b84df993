import { Injectable } from '@nestjs/common';
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../auth/password.util.js';
import { SessionsService } from '../auth/sessions.service.js';
import type { Role } from '../auth/role.js';
import { UUID, type User, type UserRow, toUser } from './user.js';

export interface NewUser {
  readonly workspaceId: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly password: string;
}

/** Users of a workspace. Every read is scoped by workspace: another workspace's user is not found. */
@Injectable()
export class UsersService {
  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    private readonly sessions: SessionsService,
  ) {}

  async create(user: NewUser, manager: EntityManager = this.db.manager): Promise<User> {
    const passwordHash = await hashPassword(user.password);
    const rows: UserRow[] = await manager.query(
      `INSERT INTO inbox.users (id, workspace_id, email, display_name, role, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT users_email_unique DO NOTHING
       RETURNING *`,
      [randomUUID(), user.workspaceId, user.email.toLowerCase(), user.displayName, user.role, passwordHash],
    );
    if (!rows[0]) throw new AlreadyExistsError(`a user with email ${user.email} already exists`);
    return toUser(rows[0]);
  }

  /**
   * The signed-in person's row in another workspace: their email and password, linked to their
   * account (ADR 0057) so that they switch to it. Only ever called for a person signed in as `member`.
   */
  async createLinked(
    member: UserRow,
    input: { workspaceId: string; displayName: string; role: Role },
    manager: EntityManager = this.db.manager,
  ): Promise<UserRow> {
    const rows: UserRow[] = await manager.query(
      `INSERT INTO inbox.users (id, workspace_id, email, display_name, role, password_hash, account_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT ON CONSTRAINT users_email_unique DO NOTHING
       RETURNING *`,
      [
        randomUUID(),
        input.workspaceId,
        member.email,
        input.displayName,
        input.role,
        member.password_hash,
        member.account_id ?? member.id,
      ],
    );
    if (!rows[0]) throw new AlreadyExistsError(`${member.email} is already a user of that workspace`);
    return rows[0];
  }

  async get(workspaceId: string, userId: string): Promise<User> {
    const row = await this.findRow(workspaceId, userId);
    if (!row) throw new NotFoundError('user');
    return toUser(row);
  }

  async list(workspaceId: string): Promise<User[]> {
    const rows: UserRow[] = await this.db.query(
      'SELECT * FROM inbox.users WHERE workspace_id = $1 ORDER BY display_name, email',
      [workspaceId],
    );
    return rows.map(toUser);
  }

  /** Candidates for a sign-in: the email may belong to users of several workspaces. */
  async findActiveByEmail(email: string): Promise<UserRow[]> {
    return this.db.query(
      'SELECT * FROM inbox.users WHERE email = $1 AND disabled_at IS NULL ORDER BY created_at, id',
      [email.toLowerCase()],
    );
  }

  async findRow(workspaceId: string, userId: string): Promise<UserRow | undefined> {
    if (!UUID.test(userId)) return undefined;
    const rows: UserRow[] = await this.db.query(
      'SELECT * FROM inbox.users WHERE workspace_id = $1 AND id = $2',
      [workspaceId, userId],
    );
    return rows[0];
  }

  /**
   * Role and enablement, set by an admin. The workspace keeps at least one enabled admin, so
   * nobody can lock everyone out of the settings (an admin demoting themself included).
   */
  async update(
    workspaceId: string,
    userId: string,
    patch: { role?: Role; disabled?: boolean; displayName?: string },
  ): Promise<User> {
    return this.db.transaction(async (tx) => {
      // One admin change at a time per workspace, or two admins demoting each other both succeed.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`inbox.admins:${workspaceId}`]);
      const row = await this.findRowIn(tx, workspaceId, userId);
      if (!row) throw new NotFoundError('user');
      const role = patch.role ?? row.role;
      const disabled = patch.disabled ?? row.disabled_at !== null;
      const stillAdmin = role === 'admin' && !disabled;
      if (row.role === 'admin' && row.disabled_at === null && !stillAdmin) {
        const [{ admins }] = await tx.query<[{ admins: number }]>(
          `SELECT count(*)::int AS admins FROM inbox.users
           WHERE workspace_id = $1 AND role = 'admin' AND disabled_at IS NULL AND id <> $2`,
          [workspaceId, userId],
        );
        if (admins === 0) throw new FailedPreconditionError('the workspace must keep at least one admin');
      }
      // The new role (or the end) takes effect on the user's next request, on this replica too.
      this.sessions.revokeUser(userId);
      // TypeORM answers an UPDATE with [rows, affected].
      const [rows] = await tx.query<[UserRow[], number]>(
        `UPDATE inbox.users SET role = $3, display_name = $4, updated_at = now(),
           disabled_at = CASE WHEN $5::boolean THEN coalesce(disabled_at, now()) ELSE NULL END
         WHERE workspace_id = $1 AND id = $2 RETURNING *`,
        [workspaceId, userId, role, patch.displayName ?? row.display_name, disabled],
      );
      if (disabled) await this.sessions.endAllOfUser(userId, tx);
      return toUser(rows[0]!);
    });
  }

  async setPasswordHash(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await manager.query(
      'UPDATE inbox.users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1',
      [userId, passwordHash],
    );
  }

  private async findRowIn(
    tx: EntityManager,
    workspaceId: string,
    userId: string,
  ): Promise<UserRow | undefined> {
    if (!UUID.test(userId)) return undefined;
    const rows: UserRow[] = await tx.query(
      'SELECT * FROM inbox.users WHERE workspace_id = $1 AND id = $2 FOR UPDATE',
      [workspaceId, userId],
    );
    return rows[0];
  }
}
