import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  type ConfigOf,
  DatabaseConfig,
  InjectConfig,
  InjectServiceDataSource,
  PgListener,
  PlatformConfigService,
  createLogger,
} from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { InboxConfig } from '../inbox.config.js';
import type { Role } from './role.js';
import { hashSecretToken, newSecretToken, secretTokenKey } from './secret-token.util.js';
import { type CacheTicket, SessionCache } from './session-cache.js';
import type { SessionContext } from './session-context.js';

/** A session ends after this long without a request, whatever its absolute lifetime. */
const IDLE_TIMEOUT_MS = 24 * 60 * 60_000;
/** `last_seen_at` is written at most this often per session: one UPDATE a minute, not one per request. */
const TOUCH_EVERY_MS = 60_000;
/** The notification channel of `inbox.sessions` and `inbox.users` changes (migration NotifySessionChanges). */
export const SESSION_CHANGES_CHANNEL = 'inbox_session_changes';

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
  expires_at: Date;
  role: Role;
  email: string;
  display_name: string;
  operator: boolean;
}

/**
 * Server-side sessions: the cookie holds a random token, the table its SHA-256. What `authenticate`
 * finds is cached per replica until a touch is due (ADR 0133): every change to a session or user is
 * notified at commit (`SESSION_CHANGES_CHANNEL`) and forgotten by every replica, a revocation made
 * here is forgotten before its commit, and nothing is cached while the notifications cannot arrive.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnApplicationShutdown {
  private readonly cache = new SessionCache();
  private listener: PgListener | undefined;

  constructor(
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
    private readonly platformConfig: PlatformConfigService,
  ) {}

  async onModuleInit(): Promise<void> {
    const url = this.platformConfig.get(DatabaseConfig).DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set');
    this.listener = new PgListener({
      connectionString: url,
      applicationName: 'switchboard:inbox:sessions:listen',
      channel: SESSION_CHANGES_CHANNEL,
      logger: createLogger('inbox.sessions'),
      onNotification: (payload) => this.changed(payload),
      // Whatever was cached before LISTEN was in place may have missed a change.
      onListening: () => this.cache.listening(true),
      onLost: () => this.cache.listening(false),
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.cache.listening(false);
    await this.listener?.close();
  }

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
    // A hit needs only the cache's key; the digest's bytes are decoded from it for a database read.
    const key = secretTokenKey(token);
    const cached = this.cache.read(key);
    if ('sessionId' in cached) return cached;
    return this.cache.share(key, cached, () => this.lookUp(Buffer.from(key, 'base64'), key, cached));
  }

  private async lookUp(hash: Buffer, key: string, ticket: CacheTicket): Promise<SessionContext | null> {
    const rows: SessionRow[] = await this.db.query(
      `SELECT s.id, s.csrf_token, s.user_id, s.workspace_id, s.last_seen_at, s.expires_at, u.role, u.email, u.display_name, u.operator
       FROM inbox.sessions s JOIN inbox.users u ON u.id = s.user_id
       WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now()
         AND s.last_seen_at > now() - make_interval(secs => $2) AND u.disabled_at IS NULL`,
      [hash, IDLE_TIMEOUT_MS / 1000],
    );
    const row = rows[0];
    if (!row) return null;
    let seen = row.last_seen_at.getTime();
    if (Date.now() - seen > TOUCH_EVERY_MS) {
      await this.db.query('UPDATE inbox.sessions SET last_seen_at = now() WHERE id = $1', [row.id]);
      seen = Date.now();
    }
    const session: SessionContext = {
      sessionId: row.id,
      csrfToken: row.csrf_token,
      userId: row.user_id,
      workspaceId: row.workspace_id,
      role: row.role,
      email: row.email,
      displayName: row.display_name,
      operator: row.operator,
    };
    // Until the next touch is due: a session in use keeps its idle clock wound from the database.
    this.cache.remember(ticket, key, session, Math.min(seen + TOUCH_EVERY_MS, row.expires_at.getTime()));
    return session;
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
    this.cache.revokeSession(sessionId);
    await manager.query('UPDATE inbox.sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL', [
      sessionId,
    ]);
  }

  async endAllOfUser(userId: string, manager: EntityManager = this.db.manager): Promise<void> {
    this.revokeUser(userId);
    await manager.query(
      'UPDATE inbox.sessions SET ended_at = now() WHERE user_id = $1 AND ended_at IS NULL',
      [userId],
    );
  }

  /**
   * This replica is about to change the user (role, name, disabled, operator): their cached sessions
   * go now, before the commit, not only when the change's notification arrives.
   */
  revokeUser(userId: string): void {
    this.cache.revokeUser(userId);
  }

  private changed(payload: string): void {
    if (payload.startsWith('s:')) this.cache.forgetSession(payload.slice(2));
    else if (payload.startsWith('u:')) this.cache.forgetUser(payload.slice(2));
    else this.cache.forgetAll();
  }
}
