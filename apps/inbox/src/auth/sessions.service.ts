import { Injectable } from '@nestjs/common';
import { type ConfigOf, InjectConfig, InjectServiceDataSource } from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { InboxConfig } from '../inbox.config.js';
import type { Role } from './role.js';
import { hashSecretToken, newSecretToken } from './secret-token.util.js';
import type { SessionContext } from './session-context.js';

/** A session ends after this long without a request, whatever its absolute lifetime. */
const IDLE_TIMEOUT_MS = 24 * 60 * 60_000;
/** `last_seen_at` is written at most this often per session: one UPDATE a minute, not one per request. */
const TOUCH_EVERY_MS = 60_000;

export interface IssuedSession {
  /** Goes in the httpOnly cookie; never stored. */
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

interface SessionRow {
  id: string;
  csrf_token: string;
  user_id: string;
  workspace_id: string;
  last_seen_at: Date;
  role: Role;
  email: string;
  display_name: string;
  operator: boolean;
}

/** Server-side sessions: the cookie holds a random token, the table its SHA-256. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
  ) {}

  async issue(
    user: { id: string; workspaceId: string },
    manager: EntityManager = this.db.manager,
  ): Promise<IssuedSession> {
    const token = newSecretToken();
    const csrfToken = newSecretToken();
    const expiresAt = new Date(Date.now() + this.config.INBOX_SESSION_HOURS * 3_600_000);
    await manager.query(
      `INSERT INTO inbox.sessions (id, token_hash, csrf_token, user_id, workspace_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [randomUUID(), hashSecretToken(token), csrfToken, user.id, user.workspaceId, expiresAt],
    );
    return { token, csrfToken, expiresAt };
  }

  /** The live session of this token, or null (unknown, ended, expired, idle too long, user disabled). */
  async authenticate(token: string): Promise<SessionContext | null> {
    if (token.length === 0 || token.length > 100) return null;
    const rows: SessionRow[] = await this.db.query(
      `SELECT s.id, s.csrf_token, s.user_id, s.workspace_id, s.last_seen_at, u.role, u.email, u.display_name, u.operator
       FROM inbox.sessions s JOIN inbox.users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now()
         AND s.last_seen_at > now() - make_interval(secs => $2) AND u.disabled_at IS NULL`,
      [hashSecretToken(token), IDLE_TIMEOUT_MS / 1000],
    );
    const row = rows[0];
    if (!row) return null;
    if (Date.now() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
      await this.db.query('UPDATE inbox.sessions SET last_seen_at = now() WHERE id = $1', [row.id]);
    }
    return {
      sessionId: row.id,
      csrfToken: row.csrf_token,
      userId: row.user_id,
      workspaceId: row.workspace_id,
      role: row.role,
      email: row.email,
      displayName: row.display_name,
      operator: row.operator,
    };
  }

  /**
   * Which of these sessions are still live (the conditions of `authenticate`), in one statement for
   * every open socket; those seen are touched like a request, so an open inbox tab keeps its session.
   */
  async liveOf(sessionIds: readonly string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const rows: { id: string }[] = await this.db.query(
      `WITH live AS (
         SELECT s.id, s.last_seen_at FROM inbox.sessions s JOIN inbox.users u ON u.id = s.user_id
         WHERE s.id = ANY($1) AND s.ended_at IS NULL AND s.expires_at > now()
           AND s.last_seen_at > now() - make_interval(secs => $2) AND u.disabled_at IS NULL
       ), touched AS (
         UPDATE inbox.sessions SET last_seen_at = now()
         WHERE id IN (SELECT id FROM live WHERE last_seen_at < now() - make_interval(secs => $3))
       )
       SELECT id FROM live`,
      [[...sessionIds], IDLE_TIMEOUT_MS / 1000, TOUCH_EVERY_MS / 1000],
    );
    return new Set(rows.map((r) => r.id));
  }

  async end(sessionId: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query('UPDATE inbox.sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL', [
      sessionId,
    ]);
  }

  async endAllOfUser(userId: string, manager: EntityManager = this.db.manager): Promise<void> {
    await manager.query(
      'UPDATE inbox.sessions SET ended_at = now() WHERE user_id = $1 AND ended_at IS NULL',
      [userId],
    );
  }
}
