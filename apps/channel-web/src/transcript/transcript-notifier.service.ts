import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  DatabaseConfig,
  InjectServiceDataSource,
  PgListener,
  PlatformConfigService,
  createLogger,
} from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';
import {
  TRANSCRIPT_CHANNEL,
  type TranscriptNotice,
  decodeNotice,
  encodeNotice,
} from './transcript-notice.js';

export interface NoticeListener {
  onNotice(notice: TranscriptNotice): void;
  /** The LISTEN connection was lost and is back: notices may have been missed. */
  onResync(): void;
}

/**
 * Fans transcript changes out to every replica's sockets through PostgreSQL LISTEN/NOTIFY: a reply
 * consumed by one replica reaches a tab connected to another, and two tabs on two replicas stay in
 * step. One dedicated connection per process.
 */
@Injectable()
export class TranscriptNotifierService implements OnModuleInit, OnApplicationShutdown {
  private listener: NoticeListener | undefined;
  private pg: PgListener | undefined;

  constructor(
    private readonly config: PlatformConfigService,
    @InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource,
  ) {}

  setListener(listener: NoticeListener): void {
    this.listener = listener;
  }

  async onModuleInit(): Promise<void> {
    const url = this.config.get(DatabaseConfig).DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set');
    this.pg = new PgListener({
      connectionString: url,
      applicationName: 'switchboard:channels_web:listen',
      channel: TRANSCRIPT_CHANNEL,
      logger: createLogger('channel-web.notifier'),
      onNotification: (payload) => {
        const notice = decodeNotice(payload);
        if (notice) this.listener?.onNotice(notice);
      },
      onListening: (reconnected) => {
        if (reconnected) this.listener?.onResync();
      },
    });
    await this.pg.start();
  }

  /**
   * Items an append of this replica has committed, to this replica's own sockets at once, from the
   * append's result: they need not wait for their NOTIFY to come back through PostgreSQL and the
   * LISTEN connection (ADR 0157). Call only once the append has committed — a socket must never
   * show what is not stored. The NOTIFY still reaches every replica, this one too, whose sockets
   * skip what they have already sent (by seq).
   */
  announceCommitted(notices: readonly TranscriptNotice[]): void {
    if (this.listener === undefined) return;
    for (const notice of notices) this.listener.onNotice(notice);
  }

  /** Sent when the caller's transaction (if any) commits; otherwise at once. */
  async notify(notice: TranscriptNotice): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [TRANSCRIPT_CHANNEL, encodeNotice(notice)]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pg?.close();
  }
}
