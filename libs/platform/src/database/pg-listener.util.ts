import pg from 'pg';
import type { Logger } from '../logging/logger.util.js';

export interface PgListenerOptions {
  readonly connectionString: string;
  /** How the connection shows in `pg_stat_activity`. */
  readonly applicationName: string;
  readonly channel: string;
  readonly logger: Logger;
  readonly onNotification: (payload: string) => void;
  /**
   * LISTEN is in place: at start, and again after a lost connection (`reconnected`), when
   * notifications sent meanwhile were missed and whatever waits on them should look again.
   */
  readonly onListening?: (reconnected: boolean) => void;
  /** The connection is lost: no notification arrives until `onListening` again. */
  readonly onLost?: () => void;
  readonly reconnectMs?: number;
}

/**
 * One dedicated PostgreSQL connection LISTENing on a channel, which comes back by itself when the
 * connection is lost (a database restart, a failover). Each process holds one per channel; NOTIFY
 * is sent on any connection (`SELECT pg_notify($1, $2)`), inside the writer's transaction when the
 * notice must follow its commit.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private listenedBefore = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) {
      throw new Error(`invalid notification channel "${options.channel}"`);
    }
  }

  /** Listens, or, when the database can't be reached now, logs it and keeps trying in the background. */
  async start(): Promise<void> {
    await this.connect().catch((error: unknown) => {
      this.options.logger.warn(
        { err: error, channel: this.options.channel },
        'notifications unavailable; retrying',
      );
      this.scheduleReconnect();
    });
  }

  /** Whether notifications arrive now. */
  listening(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { channel } = this.options;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName,
    });
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) {
        this.options.onNotification(message.payload);
      }
    });
    client.on('error', (error) => {
      this.options.logger.warn({ err: error, channel }, 'notification connection lost; reconnecting');
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    const reconnected = this.listenedBefore;
    this.listenedBefore = true;
    this.options.onListening?.(reconnected);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.options.onLost?.();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((error: unknown) => {
        this.options.logger.debug({ err: error, channel: this.options.channel }, 'still cannot listen');
        this.scheduleReconnect();
      });
    }, this.options.reconnectMs ?? 1_000);
    this.reconnectTimer.unref();
  }
}
