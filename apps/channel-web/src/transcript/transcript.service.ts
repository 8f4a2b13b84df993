import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { queryRows } from '../database/query-rows.util.js';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';
import type { WebContact } from '../contacts/web-contact.js';
import { TRANSCRIPT_CHANNEL, encodeNotice } from './transcript-notice.js';
import type { NewTranscriptItem, TranscriptItem } from './transcript-item.js';

interface ItemRow {
  seq: number;
  item_id: string;
  kind: TranscriptItem['kind'];
  direction: TranscriptItem['dir'];
  text: string | null;
  attachments: TranscriptItem['attachments'];
  author: TranscriptItem['author'];
  conversation_id: string | null;
  created_at: Date;
  read_at: Date | null;
}

/** At most this many items per replay round trip; the widget gets the rest in the next one. */
export const REPLAY_PAGE = 200;

/**
 * The web channel's own session transcript: what the visitor sent and what was delivered to them,
 * numbered per contact. Appending takes the contact's row lock, so sequence numbers are gapless and
 * commit in order; every append notifies all replicas (PostgreSQL NOTIFY, sent at commit), whose
 * sockets of that contact then catch up.
 */
@Injectable()
export class TranscriptService {
  constructor(@InjectServiceDataSource(WEB_DATA_SOURCE) private readonly db: DataSource) {}

  /** Idempotent by item id: the same id again returns the stored item with `created: false`. */
  async append(
    contact: WebContact,
    item: NewTranscriptItem,
  ): Promise<{ item: TranscriptItem; created: boolean }> {
    return this.db.transaction(async (tx) => {
      await queryRows(
        tx,
        'SELECT 1 FROM channels.web_contacts WHERE id = $1 AND workspace_id = $2 FOR UPDATE',
        [contact.id, contact.workspaceId],
      );
      const existing: ItemRow[] = await queryRows(
        tx,
        'SELECT * FROM channels.web_transcript WHERE contact_id = $1 AND item_id = $2',
        [contact.id, item.id],
      );
      if (existing[0]) return { item: toItem(existing[0]), created: false };
      const [seqRow]: { last_seq: number }[] = await queryRows(
        tx,
        'UPDATE channels.web_contacts SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq',
        [contact.id],
      );
      const rows: ItemRow[] = await queryRows(
        tx,
        `INSERT INTO channels.web_transcript
           (workspace_id, contact_id, seq, item_id, kind, direction, text, attachments, author, conversation_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [
          contact.workspaceId,
          contact.id,
          seqRow!.last_seq,
          item.id,
          item.kind,
          item.dir,
          item.text,
          JSON.stringify(item.attachments),
          item.author === null ? null : JSON.stringify(item.author),
          item.conversationId,
        ],
      );
      const stored = toItem(rows[0]!);
      await queryRows(tx, 'SELECT pg_notify($1, $2)', [
        TRANSCRIPT_CHANNEL,
        encodeNotice({ kind: 'item', contactId: contact.id, item: stored }),
      ]);
      return { item: stored, created: true };
    });
  }

  /** Items after `afterSeq`, oldest first, at most REPLAY_PAGE. */
  async listAfter(contact: WebContact, afterSeq: number, limit = REPLAY_PAGE): Promise<TranscriptItem[]> {
    const rows: ItemRow[] = await queryRows(
      this.db,
      `SELECT * FROM channels.web_transcript WHERE workspace_id = $1 AND contact_id = $2 AND seq > $3
       ORDER BY seq LIMIT $4`,
      [contact.workspaceId, contact.id, afterSeq, limit],
    );
    return rows.map(toItem);
  }

  /** The last `limit` items: what a fresh page shows. */
  async listRecent(contact: WebContact, limit: number): Promise<TranscriptItem[]> {
    const rows: ItemRow[] = await queryRows(
      this.db,
      `SELECT * FROM (SELECT * FROM channels.web_transcript WHERE workspace_id = $1 AND contact_id = $2
       ORDER BY seq DESC LIMIT $3) recent ORDER BY seq`,
      [contact.workspaceId, contact.id, limit],
    );
    return rows.map(toItem);
  }

  async lastSeq(contact: WebContact): Promise<number> {
    const rows: { last_seq: number }[] = await queryRows(
      this.db,
      'SELECT last_seq FROM channels.web_contacts WHERE workspace_id = $1 AND id = $2',
      [contact.workspaceId, contact.id],
    );
    return rows[0]?.last_seq ?? 0;
  }

  /**
   * Marks replies as delivered to a socket; returns those that were not yet (each is reported once,
   * whichever replica's socket got it first).
   */
  async markDelivered(
    workspaceId: string,
    contactId: string,
    seqs: readonly number[],
  ): Promise<{ id: string; at: Date }[]> {
    if (seqs.length === 0) return [];
    const rows: { item_id: string; delivered_at: Date }[] = await queryRows(
      this.db,
      `UPDATE channels.web_transcript SET delivered_at = now()
       WHERE workspace_id = $1 AND contact_id = $2 AND seq = ANY($3::int[])
         AND direction = 'out' AND kind = 'message' AND delivered_at IS NULL
       RETURNING item_id, delivered_at`,
      [workspaceId, contactId, seqs],
    );
    return rows.map((row) => ({ id: row.item_id, at: row.delivered_at }));
  }

  async unmarkDelivered(workspaceId: string, contactId: string, ids: readonly string[]): Promise<void> {
    await queryRows(
      this.db,
      `UPDATE channels.web_transcript SET delivered_at = NULL
       WHERE workspace_id = $1 AND contact_id = $2 AND item_id = ANY($3::text[]) AND read_at IS NULL`,
      [workspaceId, contactId, ids],
    );
  }

  /** The customer read every reply up to `upToSeq`; returns the replies newly read. */
  async markReadByCustomer(contact: WebContact, upToSeq: number): Promise<{ id: string; at: Date }[]> {
    const rows: { item_id: string; read_at: Date }[] = await queryRows(
      this.db,
      `UPDATE channels.web_transcript SET read_at = now(), delivered_at = COALESCE(delivered_at, now())
       WHERE workspace_id = $1 AND contact_id = $2 AND seq <= $3
         AND direction = 'out' AND kind = 'message' AND read_at IS NULL
       RETURNING item_id, read_at`,
      [contact.workspaceId, contact.id, upToSeq],
    );
    return rows.map((row) => ({ id: row.item_id, at: row.read_at }));
  }

  /** An agent read the conversation: the customer's messages so far show as seen. Returns the last seq marked. */
  async markReadByAgent(contact: WebContact): Promise<number | null> {
    const rows: { seq: number }[] = await queryRows(
      this.db,
      `UPDATE channels.web_transcript SET read_at = now()
       WHERE workspace_id = $1 AND contact_id = $2 AND direction = 'in' AND read_at IS NULL
       RETURNING seq`,
      [contact.workspaceId, contact.id],
    );
    return rows.length === 0 ? null : Math.max(...rows.map((row) => row.seq));
  }
}

function toItem(row: ItemRow): TranscriptItem {
  return {
    seq: row.seq,
    id: row.item_id,
    kind: row.kind,
    dir: row.direction,
    text: row.text,
    attachments: row.attachments,
    author: row.author,
    conversationId: row.conversation_id,
    at: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
  };
}
