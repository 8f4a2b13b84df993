import { Injectable } from '@nestjs/common';
import { InvalidArgumentError, PermissionDeniedError } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { toUser, type User, type UserRow } from '../users/user.js';
import { UsersService } from '../users/users.service.js';
import { LoginRateLimiter } from './login-rate-limiter.service.js';
import { MIN_PASSWORD_LENGTH, hashPassword, unknownUserHash, verifyPassword } from './password.util.js';
import { type IssuedSession, SessionsService } from './sessions.service.js';
import type { SessionContext } from './session-context.js';

export class InvalidCredentialsError extends Error {
  override readonly name = 'InvalidCredentialsError';
  constructor() {
    super('Wrong email or password.');
  }
}

/** One workspace a sign-in may enter, listed only once the password matched a user there. */
export interface WorkspaceChoice {
  readonly workspaceId: string;
  readonly name: string;
}

/**
 * The email and password match users of several workspaces that are not one person's linked rows:
 * the sign-in is asked again with one of these (ADR 0058). Never thrown before a password matched.
 */
export class WorkspaceChoiceRequiredError extends Error {
  override readonly name = 'WorkspaceChoiceRequiredError';
  constructor(readonly workspaces: readonly WorkspaceChoice[]) {
    super('This email and password open several workspaces: choose one.');
  }
}

export interface LoginInput {
  readonly email: string;
  readonly password: string;
  /** Needed only when the email belongs to users of several workspaces. */
  readonly workspaceId?: string;
  readonly ip: string;
  /** The browser's trust cookie (ADR 0056), if it sent one. */
  readonly deviceToken?: string | undefined;
}

/** Where a password check comes from, for the limits it shares with sign-in. */
export interface AttemptOrigin {
  readonly ip: string;
  readonly deviceToken?: string | undefined;
}

/** Signing in and out, and changing one's password. */
@Injectable()
export class AuthService {
  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly limiter: LoginRateLimiter,
  ) {}

  /** `deviceToken`: the trust cookie to send back, so this browser signs in even while the account is attacked. */
  async login(input: LoginInput): Promise<{ user: User; session: IssuedSession; deviceToken: string }> {
    const accountKey = input.email.trim().toLowerCase();
    const attempt = await this.limiter.check({ accountKey, ip: input.ip, deviceToken: input.deviceToken });
    const candidates = (await this.users.findActiveByEmail(accountKey)).filter(
      (row) => input.workspaceId === undefined || row.workspace_id === input.workspaceId,
    );
    const matching = [];
    for (const row of candidates) {
      if (await verifyPassword(row.password_hash, input.password)) matching.push(row);
    }
    // Same work whether or not the email exists: timing must not reveal accounts.
    if (candidates.length === 0) await verifyPassword(await unknownUserHash, input.password);
    if (matching.length === 0) {
      await this.limiter.recordFailure(attempt);
      throw new InvalidCredentialsError();
    }
    // One person's workspaces (rows of one account): signed in to the oldest, switched in the inbox.
    if (new Set(matching.map((row) => row.account_id ?? row.id)).size === 1) matching.splice(1);
    // Only the workspaces this password opens are named: a wrong password learns nothing more than 401.
    if (matching.length > 1) throw new WorkspaceChoiceRequiredError(await this.choices(matching));
    const row = matching[0]!;
    const deviceToken = await this.limiter.recordSuccess(attempt);
    const session = await this.sessions.issue({ id: row.id, workspaceId: row.workspace_id });
    return { user: toUser(row), session, deviceToken };
  }

  private async choices(rows: readonly UserRow[]): Promise<WorkspaceChoice[]> {
    const found = await this.db.query<{ id: string; name: string }[]>(
      'SELECT id, name FROM inbox.workspaces WHERE id = ANY($1::uuid[]) ORDER BY name, id',
      [rows.map((row) => row.workspace_id)],
    );
    return found.map((w) => ({ workspaceId: w.id, name: w.name }));
  }

  async logout(context: SessionContext): Promise<void> {
    await this.sessions.end(context.sessionId);
  }

  /**
   * Ends every session of the user (other browsers too) and issues a fresh one for this browser.
   * The current password is a password check like sign-in's: the same limits, the same counts
   * (a stolen session must not become an unlimited password oracle).
   */
  async changePassword(
    context: SessionContext,
    currentPassword: string,
    newPassword: string,
    origin: AttemptOrigin,
  ): Promise<IssuedSession> {
    assertPasswordPolicy(newPassword);
    const attempt = await this.limiter.check({
      accountKey: context.email.trim().toLowerCase(),
      ip: origin.ip,
      deviceToken: origin.deviceToken,
    });
    const row = await this.users.findRow(context.workspaceId, context.userId);
    if (!row || !(await verifyPassword(row.password_hash, currentPassword))) {
      await this.limiter.recordFailure(attempt);
      throw new PermissionDeniedError('the current password is wrong');
    }
    await this.limiter.recordSuccess(attempt);
    const passwordHash = await hashPassword(newPassword);
    return this.db.transaction(async (tx) => {
      await this.users.setPasswordHash(tx, row.id, passwordHash);
      await this.sessions.endAllOfUser(row.id, tx);
      return this.sessions.issue({ id: row.id, workspaceId: row.workspace_id }, tx);
    });
  }
}

export function assertPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new InvalidArgumentError('the password is too short', [
      { field: 'password', description: `at least ${MIN_PASSWORD_LENGTH} characters` },
    ]);
}
