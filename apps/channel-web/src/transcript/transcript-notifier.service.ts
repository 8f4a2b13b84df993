import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  DatabaseConfig,
  InjectServiceDataSource,
  PlatformConfigService,
  createLogger,
} from '@switchboard/platform';
import pg from 'pg';
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

const RECONNECT_MS = 1_000;

/**
 * Fans transcript changes out to every replica's sockets through PostgreSQL LISTEN/NOTIFY: a reply
 * consumed by one replica reaches a tab connected to another, and two tabs on two replicas stay in
 * step. One dedicated connection per process.
 */
@Injectable()
export class TranscriptNotifierService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('channel-web.notifier');
  private client: pg.Client | undefined;
  private listener: NoticeListener | undefined;
  private closed = false;
  private connected: Promise<void> | undefined;

  constructor(
    private readonly config: PlatformConfigService,
    @InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource,
  ) {}

  setListener(listener: NoticeListener): void {
    this.listener = listener;
  }

  async onModuleInit(): Promise<void> {
    this.connected = this.connect(false);
    await this.connected;
  }

  /** Sent when the caller's transaction (if any) commits; otherwise at once. */
  async notify(notice: TranscriptNotice): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [TRANSCRIPT_CHANNEL, encodeNotice(notice)]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(resync: boolean): Promise<void> {
    const url = this.config.get(DatabaseConfig).DATABASE_URL;
    const client = new pg.Client({
      connectionString: url,
      application_name: 'switchboard:channels_web:listen',
    });
    client.on('notification', (message) => {
      const notice = message.payload === undefined ? null : decodeNotice(message.payload);
      if (notice) this.listener?.onNotice(notice);
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'transcript notifications lost; reconnecting');
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${TRANSCRIPT_CHANNEL}`);
    if (resync) this.listener?.onResync();
  }

  private reconnect(lost: pg.Client): void {
    if (this.closed || this.client !== lost) return;
    this.client = undefined;
    setTimeout(() => {
      if (this.closed) return;
      this.connect(true).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'could not listen for transcript notifications; retrying');
        const dead = new pg.Client();
        this.client = dead;
        this.reconnect(dead);
      });
    }, RECONNECT_MS).unref();
  }
}
