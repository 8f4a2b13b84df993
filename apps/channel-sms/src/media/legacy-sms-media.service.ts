import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ATTACHMENT_STORE,
  type AttachmentStore,
  InjectServiceDataSource,
  createLogger,
  storeKey,
} from '@switchboard/platform';
import type { DataSource } from 'typeorm';

interface LegacyMediaRow {
  storage_key: string;
  workspace_id: string;
  content_type: string;
  body: Buffer;
}

/** Rows per round trip: at most 5 MB each, so a batch stays a bounded amount of memory. */
const BATCH = 8;

/**
 * Moves MMS media copied before ADR 0033's amendment out of `channels.sms_media` (bytes in a
 * table, key `sms-media/<uuid>`) into the `AttachmentStore` at `sms-media/<workspace>/<uuid>`,
 * which is where the web channel reads a legacy key granted in that workspace. Each row is deleted
 * only once its bytes are durable in the store, so a crash mid-way repeats a put, never loses a
 * file; replicas doing it at once put the same bytes twice, which is harmless.
 */
@Injectable()
export class LegacySmsMediaService implements OnApplicationBootstrap {
  private readonly logger = createLogger('channel-sms.media');

  constructor(
    @InjectServiceDataSource('channels') private readonly db: DataSource,
    @Inject(ATTACHMENT_STORE) private readonly files: AttachmentStore,
  ) {}

  /** Before serving: a store that can't take them fails the boot rather than leave them behind. */
  async onApplicationBootstrap(): Promise<void> {
    const moved = await this.moveAll();
    if (moved > 0) this.logger.info({ moved }, 'moved legacy MMS media into the attachment store');
  }

  async moveAll(): Promise<number> {
    let moved = 0;
    for (;;) {
      const rows: LegacyMediaRow[] = await this.db.query(
        `SELECT storage_key, workspace_id, content_type, body FROM channels.sms_media
         ORDER BY storage_key LIMIT $1`,
        [BATCH],
      );
      if (rows.length === 0) return moved;
      for (const row of rows) {
        await this.files.put(storeKeyOf(row), row.body, {
          size: row.body.length,
          contentType: row.content_type,
        });
        await this.db.query('DELETE FROM channels.sms_media WHERE storage_key = $1', [row.storage_key]);
        moved += 1;
      }
    }
  }
}

/** `sms-media/<uuid>` of workspace W is kept at `sms-media/W/<uuid>`: the id is unchanged. */
function storeKeyOf(row: LegacyMediaRow): string {
  const id = row.storage_key.slice('sms-media/'.length);
  return storeKey('sms-media', row.workspace_id, id);
}
