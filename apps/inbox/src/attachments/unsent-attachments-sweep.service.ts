import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  ATTACHMENT_STORE,
  type AttachmentStore,
  type ConfigOf,
  InjectConfig,
  InjectServiceDataSource,
  createLogger,
} from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { InboxConfig } from '../inbox.config.js';

/** How often each replica sweeps; an upload lives at most this much past its time. */
export const SWEEP_INTERVAL_MS = 15 * 60 * 1000;
/** Rows per statement: a sweep after a long outage deletes in bounded steps. */
const BATCH = 100;

/**
 * Deletes agents' uploads that no reply named within INBOX_UNSENT_ATTACHMENT_HOURS (ADR 0055):
 * the row first, then the bytes, so a crash between leaves at worst an orphan file, never a row
 * without bytes (ADR 0045). Every replica sweeps; `FOR UPDATE SKIP LOCKED` gives each row to one
 * of them, and a reply naming an upload locks and marks it (`attached_at`), so it is never taken.
 */
@Injectable()
export class UnsentAttachmentsSweepService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('inbox.attachments.sweep');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectConfig(InboxConfig) private readonly config: ConfigOf<typeof InboxConfig>,
    @InjectServiceDataSource('inbox') private readonly db: DataSource,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), SWEEP_INTERVAL_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sweeps until nothing is left to take; returns how many uploads it deleted. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [rows]: [{ id: string; storage_key: string }[], number] = await this.db.query(
        `DELETE FROM inbox.attachments
          WHERE id IN (
            SELECT id FROM inbox.attachments
             WHERE attached_at IS NULL AND created_at < now() - make_interval(hours => $1)
             ORDER BY created_at
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
          RETURNING id, storage_key`,
        [this.config.INBOX_UNSENT_ATTACHMENT_HOURS, BATCH],
      );
      for (const row of rows) {
        try {
          await this.files.delete(row.storage_key);
        } catch (error) {
          // The row is gone already: the bytes are an orphan nobody can reach, not a broken file.
          this.logger.warn({ err: error, attachmentId: row.id }, 'an unsent upload’s bytes were not deleted');
        }
      }
      deleted += rows.length;
      if (rows.length < BATCH) break;
    }
    if (deleted > 0) this.logger.info({ deleted }, 'swept unsent uploads');
    return deleted;
  }

  private tick(): void {
    this.running = this.sweep().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'sweep of unsent uploads failed; next one retries'),
    );
  }
}
