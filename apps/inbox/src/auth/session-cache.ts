import type { SessionContext } from './session-context.js';

/** The most sessions one replica remembers; past it the oldest entry goes. */
const MAX_ENTRIES = 10_000;
/** How long a revocation made by this replica keeps its session or user out of the cache. */
const TOMBSTONE_MS = 60_000;

/** What `SessionCache.read` hands back: the moment a database read started, to `remember` its answer. */
export interface CacheTicket {
  readonly generation: number;
}

interface Entry {
  readonly session: SessionContext;
  /** When the entry must be read from the database again (a touch is due, or the session expires). */
  readonly validUntil: number;
}

/**
 * Sessions this replica authenticated lately, keyed by the token's hash, so that an agent's requests
 * do not each read `inbox.sessions` (ADR 0133). Correct only while told of every change: the owner
 * forgets a session or user when PostgreSQL notifies a change (every replica, at commit) and when
 * this replica revokes one (at once, before its commit), and turns the cache off (`listening(false)`)
 * while notifications cannot arrive. A database read races a change only if a notification or
 * revocation happened while it ran: `remember` then drops its answer (the generation moved on).
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly revokedSessions = new Map<string, number>();
  private readonly revokedUsers = new Map<string, number>();
  /** Database reads running, each with the generation it started in. */
  private readonly reads = new Map<string, { generation: number; read: Promise<SessionContext | null> }>();
  private generation = 0;
  private on = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Notifications arrive (true) or may be missed (false: everything is forgotten and nothing kept). */
  listening(on: boolean): void {
    this.on = on;
    this.forgetAll();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached session of this token hash, if still valid; and a ticket for the read to do if not. */
  read(key: string): SessionContext | CacheTicket {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.validUntil > this.now() && !this.revoked(entry.session)) return entry.session;
      this.entries.delete(key);
    }
    return { generation: this.generation };
  }

  /**
   * Runs `read` for a key not cached, or joins the read of it already running if nothing changed
   * since that one started: an agent's requests that miss together (at sign-in, or when a touch
   * falls due) cost one read and one touch, not one each.
   */
  share(
    key: string,
    ticket: CacheTicket,
    read: () => Promise<SessionContext | null>,
  ): Promise<SessionContext | null> {
    const running = this.reads.get(key);
    if (running !== undefined && running.generation === ticket.generation) return running.read;
    const started = {
      generation: ticket.generation,
      read: read().finally(() => {
        if (this.reads.get(key) === started) this.reads.delete(key);
      }),
    };
    this.reads.set(key, started);
    return started.read;
  }

  /** Keeps what a read found, unless anything changed (or may have) since `ticket`. */
  remember(ticket: CacheTicket, key: string, session: SessionContext, validUntil: number): void {
    if (!this.on || ticket.generation !== this.generation || this.revoked(session)) return;
    if (validUntil <= this.now()) return;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { session, validUntil });
  }

  /** A session changed (ended, expired, deleted): its entry goes; reads in flight are not kept. */
  forgetSession(sessionId: string): void {
    this.generation += 1;
    for (const [key, entry] of this.entries) {
      if (entry.session.sessionId === sessionId) this.entries.delete(key);
    }
  }

  /** A user changed (role, name, disabled, deleted): every session of theirs goes. */
  forgetUser(userId: string): void {
    this.generation += 1;
    for (const [key, entry] of this.entries) {
      if (entry.session.userId === userId) this.entries.delete(key);
    }
  }

  forgetAll(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /**
   * This replica is about to change a session or user (inside a transaction not committed yet):
   * forgotten at once, and kept out of the cache for a while, so that no read racing the commit
   * brings the old state back before the notification that follows it.
   */
  revokeSession(sessionId: string): void {
    this.tombstone(this.revokedSessions, sessionId);
    this.forgetSession(sessionId);
  }

  revokeUser(userId: string): void {
    this.tombstone(this.revokedUsers, userId);
    this.forgetUser(userId);
  }

  private tombstone(tombstones: Map<string, number>, id: string): void {
    const now = this.now();
    for (const [other, until] of tombstones) if (until <= now) tombstones.delete(other);
    tombstones.set(id, now + TOMBSTONE_MS);
  }

  private revoked(session: SessionContext): boolean {
    return (
      this.tombstoned(this.revokedSessions, session.sessionId) ||
      this.tombstoned(this.revokedUsers, session.userId)
    );
  }

  private tombstoned(tombstones: Map<string, number>, id: string): boolean {
    const until = tombstones.get(id);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    tombstones.delete(id);
    return false;
  }
}
