import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
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
  answered?: boolean;
  form: TranscriptItem['form'] | null;
}

/**
 * Whether a CSAT prompt's conversation was rated (by any of the customer's contacts): a reload or
 * another device must not ask again.
 */
const ANSWERED = `EXISTS (SELECT 1 FROM channels.web_csat r
  WHERE r.workspace_id = t.workspace_id AND r.conversation_id = t.conversation_id) AS answered`;

export interface AppendEntry {
  readonly contact: WebContact;
  readonly item: NewTranscriptItem;
  readonly link?: { readonly customerId: string; readonly conversationId: string };
}

export interface AppendResult {
  readonly contactId: string;
  readonly item: TranscriptItem;
  readonly created: boolean;
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
    const [result] = await this.appendMany([{ contact, item }]);
    return result!;
  }

  /**
   * Appends items for many contacts in one transaction and a fixed number of round trips (a
   * delivery batch of hundreds is not hundreds of transactions). Contacts are locked in id order,
   * so concurrent batches can't deadlock; each contact's items get the next sequence numbers in
   * the order given. Items whose id the contact already has are returned as stored, not appended.
   * A `link` records history's customer and conversation for the contact.
   */
  async appendMany(entries: readonly AppendEntry[]): Promise<AppendResult[]> {
    if (entries.length === 0) return [];
    return this.db.transaction(async (tx) => {
      const contactIds = [...new Set(entries.map((e) => e.contact.id))].sort();
      // Locked, with each contact's last number and the transaction's clock (what `created_at`
      // defaults to): the new items are known whole here, so the insert need return nothing.
      const locked = await queryRows<{ id: string; last_seq: number; now: Date }>(
        tx,
        `SELECT id, last_seq, now() AS now FROM channels.web_contacts
         WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [contactIds],
      );
      const existingRows = await queryRows<ItemRow & { contact_id: string }>(
        tx,
        `SELECT t.* FROM channels.web_transcript t
         JOIN unnest($1::uuid[], $2::text[]) AS k(contact_id, item_id)
           ON t.contact_id = k.contact_id AND t.item_id = k.item_id`,
        [entries.map((e) => e.contact.id), entries.map((e) => e.item.id)],
      );
      const known = new Map(existingRows.map((row) => [`${row.contact_id}|${row.item_id}`, toItem(row)]));
      const lastSeq = new Map(locked.map((row) => [row.id, row.last_seq]));
      const at = locked[0]?.now.toISOString();
      const fresh: AppendEntry[] = [];
      const created = new Map<string, TranscriptItem>();
      for (const entry of entries) {
        const key = `${entry.contact.id}|${entry.item.id}`;
        if (known.has(key) || created.has(key)) continue;
        const last = lastSeq.get(entry.contact.id);
        // A contact gone before its lock was taken numbers nothing: fail the batch.
        if (last === undefined || at === undefined)
          throw new Error(`cannot store transcript item ${entry.item.id}: its contact is gone`);
        lastSeq.set(entry.contact.id, last + 1);
        fresh.push(entry);
        created.set(key, newItem(entry.item, last + 1, at));
      }
      if (fresh.length > 0) {
        const links = new Map<string, { customerId: string; conversationId: string }>();
        for (const entry of entries) if (entry.link) links.set(entry.contact.id, entry.link);
        const ids = [...new Set(fresh.map((e) => e.contact.id))];
        const items = fresh.map((e) => created.get(`${e.contact.id}|${e.item.id}`)!);
        // Sent at commit, in this order (each contact's items in sequence): one JSON array whose
        // elements PostgreSQL hands to pg_notify as written, with nothing escaped as a text[] would be.
        const notices = `[${items.map((item, i) => encodeNotice({ kind: 'item', contactId: fresh[i]!.contact.id, item })).join(',')}]`;
        // The contacts' sequence moved on (they are locked above, so no one else numbers them
        // meanwhile), with history's customer and conversation as the latest delivery names them,
        // the items inserted at their numbers and announced: one statement.
        await queryRows(
          tx,
          `WITH bumped AS (
             UPDATE channels.web_contacts c SET last_seq = k.last_seq,
               customer_id = COALESCE(k.customer_id, c.customer_id),
               conversation_id = COALESCE(k.conversation_id, c.conversation_id)
             FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::uuid[]) AS k(id, last_seq, customer_id, conversation_id)
             WHERE c.id = k.id
           ), inserted AS (
             INSERT INTO channels.web_transcript
               (workspace_id, contact_id, seq, item_id, kind, direction, text, attachments, author, conversation_id, form)
             SELECT w, c, s, i, k, d, x, a::jsonb, au::jsonb, cv, f::jsonb
             FROM unnest($5::uuid[], $6::uuid[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[],
                         $12::text[], $13::text[], $14::uuid[], $15::text[]) AS u(w, c, s, i, k, d, x, a, au, cv, f)
           )
           SELECT pg_notify($16, n::text) FROM json_array_elements($17::json) WITH ORDINALITY AS u(n, o) ORDER BY o`,
          [
            ids,
            ids.map((id) => lastSeq.get(id)),
            ids.map((id) => links.get(id)?.customerId ?? null),
            ids.map((id) => links.get(id)?.conversationId ?? null),
            fresh.map((e) => e.contact.workspaceId),
            fresh.map((e) => e.contact.id),
            items.map((item) => item.seq),
            fresh.map((e) => e.item.id),
            fresh.map((e) => e.item.kind),
            fresh.map((e) => e.item.dir),
            fresh.map((e) => e.item.text),
            fresh.map((e) => JSON.stringify(e.item.attachments)),
            fresh.map((e) => (e.item.author === null ? null : JSON.stringify(e.item.author))),
            fresh.map((e) => e.item.conversationId),
            fresh.map((e) => (e.item.form === undefined ? null : JSON.stringify(e.item.form))),
            TRANSCRIPT_CHANNEL,
            notices,
          ],
        );
      }
      const repeated = new Set<string>();
      return entries.map((entry) => {
        const key = `${entry.contact.id}|${entry.item.id}`;
        const stored = known.get(key);
        if (stored) return { contactId: entry.contact.id, item: stored, created: false };
        // The same id twice in one batch: the second is a repeat.
        const first = !repeated.has(key);
        repeated.add(key);
        return { contactId: entry.contact.id, item: created.get(key)!, created: first };
      });
    });
  }

  /** Items after `afterSeq`, oldest first, at most REPLAY_PAGE. */
  async listAfter(contact: WebContact, afterSeq: number, limit = REPLAY_PAGE): Promise<TranscriptItem[]> {
    const rows: ItemRow[] = await queryRows(
      this.db,
      `SELECT t.*, ${ANSWERED} FROM channels.web_transcript t
       WHERE t.workspace_id = $1 AND t.contact_id = $2 AND t.seq > $3 ORDER BY t.seq LIMIT $4`,
      [contact.workspaceId, contact.id, afterSeq, limit],
    );
    return rows.map(toItem);
  }

  /** The last `limit` items: what a fresh page shows. */
  async listRecent(contact: WebContact, limit: number): Promise<TranscriptItem[]> {
    const rows: ItemRow[] = await queryRows(
      this.db,
      `SELECT * FROM (SELECT t.*, ${ANSWERED} FROM channels.web_transcript t
       WHERE t.workspace_id = $1 AND t.contact_id = $2 ORDER BY t.seq DESC LIMIT $3) recent ORDER BY seq`,
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
   * Marks replies as delivered to a socket, for many contacts in one statement; returns those that
   * were not yet (each is reported once, whichever replica's socket got it first).
   */
  async markDelivered(
    marks: readonly { workspaceId: string; contactId: string; seq: number }[],
  ): Promise<{ workspaceId: string; contactId: string; id: string; at: Date }[]> {
    if (marks.length === 0) return [];
    const rows = await queryRows<{
      workspace_id: string;
      contact_id: string;
      item_id: string;
      delivered_at: Date;
    }>(
      this.db,
      `UPDATE channels.web_transcript t SET delivered_at = now()
       FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS d(workspace_id, contact_id, seq)
       WHERE t.workspace_id = d.workspace_id AND t.contact_id = d.contact_id AND t.seq = d.seq
         AND t.direction = 'out' AND t.kind = 'message' AND t.delivered_at IS NULL
       RETURNING t.workspace_id, t.contact_id, t.item_id, t.delivered_at`,
      [marks.map((m) => m.workspaceId), marks.map((m) => m.contactId), marks.map((m) => m.seq)],
    );
    return rows.map((row) => ({
      workspaceId: row.workspace_id,
      contactId: row.contact_id,
      id: row.item_id,
      at: row.delivered_at,
    }));
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

/** An item as appended: what `toItem` makes of its row once stored (nothing read or rated yet). */
function newItem(item: NewTranscriptItem, seq: number, at: string): TranscriptItem {
  return {
    seq,
    id: item.id,
    kind: item.kind,
    dir: item.dir,
    text: item.text,
    attachments: item.attachments,
    author: item.author,
    conversationId: item.conversationId,
    at,
    readAt: null,
    ...(item.kind === 'csat' ? { answered: false } : {}),
    ...(item.form ? { form: item.form } : {}),
  };
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
    ...(row.kind === 'csat' ? { answered: row.answered === true } : {}),
    ...(row.form ? { form: row.form } : {}),
  };
}
