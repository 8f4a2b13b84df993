import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createLogger, InjectConfig, type ConfigOf } from '@switchboard/platform';
import pg from 'pg';
import { GrpcApiConfig } from '../grpc-api.config.js';
import { FEED_CHANNEL } from './event-feed.service.js';

const RECONNECT_MS = 2_000;

/**
 * Wakes streams when their workspace's feed grows: one LISTEN connection per process, whichever
 * replica stored the events. While it listens, streams wait for a notification (rereading only
 * every 30 s, as a safety net); while it does not, they poll every second. Losing the connection
 * wakes every waiting stream, and listening again changes every workspace's version, so nothing
 * stored in between waits for the safety net.
 */
@Injectable()
export class FeedNotifierService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('grpc-api.events');
  private readonly versions = new Map<string, number>();
  /** Times LISTEN was (re)established: part of every version, since notifications may have been missed. */
  private listens = 0;
  private readonly waiters = new Map<string, Set<() => void>>();
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(@InjectConfig(GrpcApiConfig) private readonly config: ConfigOf<typeof GrpcApiConfig>) {}

  async onModuleInit(): Promise<void> {
    await this.connect().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'feed notifications unavailable; streams poll until they return');
      this.scheduleReconnect();
    });
  }

  /** A number that changes whenever the workspace's feed grows: read it before reading the feed. */
  version(workspaceId: string): number {
    return this.listens + (this.versions.get(workspaceId) ?? 0);
  }

  /** Whether notifications arrive now; otherwise streams must poll. */
  listening(): boolean {
    return this.client !== undefined;
  }

  /** Resolves when the feed grew past `version`, after `timeoutMs`, or on abort. */
  async waitForChange(
    workspaceId: string,
    version: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.version(workspaceId) !== version || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const set = this.waiters.get(workspaceId) ?? new Set();
      this.waiters.set(workspaceId, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(workspaceId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (!this.config.DATABASE_URL) throw new Error('DATABASE_URL is not set');
    const client = new pg.Client({
      connectionString: this.config.DATABASE_URL,
      application_name: 'switchboard:api-listen',
    });
    client.on('notification', (message) => {
      if (message.channel === FEED_CHANNEL && message.payload) this.bump(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'feed notification connection lost');
      client.end().catch(() => undefined);
      if (this.client === client) {
        this.client = undefined;
        this.wakeAll();
      }
      this.scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${FEED_CHANNEL}`);
    this.client = client;
    this.listens += 1;
    this.wakeAll();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => this.scheduleReconnect());
    }, RECONNECT_MS);
  }

  private bump(workspaceId: string): void {
    this.versions.set(workspaceId, (this.versions.get(workspaceId) ?? 0) + 1);
    for (const wake of [...(this.waiters.get(workspaceId) ?? [])]) wake();
  }

  private wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
