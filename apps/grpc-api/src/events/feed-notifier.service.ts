import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createLogger, InjectConfig, PgListener, type ConfigOf } from '@switchboard/platform';
import { GrpcApiConfig } from '../grpc-api.config.js';
import { FEED_CHANNEL } from './event-feed.service.js';

/**
 * Wakes streams when their workspace's feed grows: one LISTEN connection per process, whichever
 * replica stored the events. While it listens, streams wait for a notification (rereading only
 * every 30 s, as a safety net); while it does not, they poll every second. Losing the connection
 * wakes every waiting stream, and listening again changes every workspace's version, so nothing
 * stored in between waits for the safety net.
 */
@Injectable()
export class FeedNotifierService implements OnModuleInit, OnApplicationShutdown {
  private readonly versions = new Map<string, number>();
  /** Times LISTEN was (re)established: part of every version, since notifications may have been missed. */
  private listens = 0;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly listener: PgListener | undefined;

  constructor(@InjectConfig(GrpcApiConfig) config: ConfigOf<typeof GrpcApiConfig>) {
    this.listener = config.DATABASE_URL
      ? new PgListener({
          connectionString: config.DATABASE_URL,
          applicationName: 'switchboard:api-listen',
          channel: FEED_CHANNEL,
          logger: createLogger('grpc-api.events'),
          reconnectMs: 2_000,
          onNotification: (workspaceId) => this.bump(workspaceId),
          onListening: () => {
            this.listens += 1;
            this.wakeAll();
          },
          onLost: () => this.wakeAll(),
        })
      : undefined;
  }

  async onModuleInit(): Promise<void> {
    await this.listener?.start();
  }

  /** A number that changes whenever the workspace's feed grows: read it before reading the feed. */
  version(workspaceId: string): number {
    return this.listens + (this.versions.get(workspaceId) ?? 0);
  }

  /** Whether notifications arrive now; otherwise streams must poll. */
  listening(): boolean {
    return this.listener?.listening() ?? false;
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
    await this.listener?.close();
  }

  private bump(workspaceId: string): void {
    this.versions.set(workspaceId, (this.versions.get(workspaceId) ?? 0) + 1);
    for (const wake of [...(this.waiters.get(workspaceId) ?? [])]) wake();
  }

  private wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
