import { Injectable } from '@nestjs/common';
import { InvalidArgumentError, PermissionDeniedError } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { toUser, type User } from '../users/user.js';
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

export interface LoginInput {
  readonly email: string;
  readonly password: string;
  /** Needed only when the email belongs to users of several workspaces. */
  readonly workspaceId?: string;
  readonly ip: string;
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

  async login(input: LoginInput): Promise<{ user: User; session: IssuedSession }> {
    const accountKey = input.email.trim().toLowerCase();
    await this.limiter.check(accountKey, input.ip);
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
      await this.limiter.recordFailure(accountKey, input.ip);
      throw new InvalidCredentialsError();
    }
    // One person's workspaces (rows of one account): signed in to the oldest, switched in the inbox.
    if (new Set(matching.map((row) => row.account_id ?? row.id)).size === 1) matching.splice(1);
    if (matching.length > 1)
      throw new InvalidArgumentError('this email belongs to several workspaces: choose one', [
        { field: 'workspaceId', description: 'required for this account' },
      ]);
    const row = matching[0]!;
    await this.limiter.clearAccount(accountKey);
    const session = await this.sessions.issue({ id: row.id, workspaceId: row.workspace_id });
    return { user: toUser(row), session };
  }

  async logout(context: SessionContext): Promise<void> {
    await this.sessions.end(context.sessionId);
  }

  /** Ends every session of the user (other browsers too) and issues a fresh one for this browser. */
  async changePassword(
    context: SessionContext,
    currentPassword: string,
    newPassword: string,
  ): Promise<IssuedSession> {
    assertPasswordPolicy(newPassword);
    const row = await this.users.findRow(context.workspaceId, context.userId);
    if (!row || !(await verifyPassword(row.password_hash, currentPassword)))
      throw new PermissionDeniedError('the current password is wrong');
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
