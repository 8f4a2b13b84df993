import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, isUniqueViolation, preparedRows, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { WEB_DATA_SOURCE } from '../channel-web.config.js';
import type { WebContact } from '../contacts/web-contact.js';
import { MAX_NOTICE_BYTES, TRANSCRIPT_CHANNEL } from './transcript-notice.js';
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

/**
 * A row `APPEND_ITEMS` returns: an item it numbered (`created`: seq and time only), or one stored
 * before; `DELIVER_ITEMS` also an entry's contact (`created` null, `seq` the entry's position).
 */
type AppendedRow = {
  created: boolean | null;
  contact_id: string;
  item_id: string;
  seq: number;
  created_at: Date;
} & Partial<ItemRow>;

/**
 * A transcript append as one statement, from its entries `e` (`entries`: contact_id, workspace_id,
 * the item's columns, history's link, `notice` — the item as its notice carries it, but for its seq
 * and time, which the statement writes in front: `noticeRest` — and `ord`, the entry's position
 * from 1); `contactIds` is an array expression of the contacts' ids, `channel` the NOTIFY channel's
 * parameter, `resolved` rows returned after the items' (`DELIVER_ITEMS`'s recipients).
 *
 * Its generic plan (a prepared statement keeps one made while the tables had no statistics) must
 * find rows by their keys whatever the tables' sizes: the contacts and the stored items are looked
 * up one by one from the batch's list (a lateral subquery each; a join let a plan made on a small
 * table read it whole into a hash), and the workspace is compared where no index can serve it.
 *
 * - `locked`: the contacts, by primary key, locked in id order. A row another append changed
 *   after this statement's snapshot is read as that append committed it (READ COMMITTED re-reads
 *   a row it waited to lock), so `last_seq` is current; a contact gone (or of another workspace)
 *   is not there, its items get no number, and the insert fails on the null `seq`.
 * - `known`: items the contacts have under these ids, returned as stored (read in the snapshot:
 *   see `appendRows` for an append of the same id committed meanwhile).
 * - `fresh`: each (contact, id) once, numbered after the contact's last in the order given.
 * - `bumped`: the contacts' last numbers, and history's customer and conversation as the batch's
 *   latest link for the contact names them (`id = ANY(contactIds)` too: the generic plan reads the
 *   contacts by primary key, not the whole table into a hash).
 * - `announced`: a NOTIFY per new item in the order given (sent at commit): what `toItem` makes
 *   of the stored row, so `created_at` is kept to the millisecond the notice and the row share.
 *   Text put together, not JSON built: the item's other fields arrive encoded.
 */
function appendStatement(entries: string, contactIds: string, channel: string, resolved = ''): string {
  return `WITH ${entries}, locked AS MATERIALIZED (
  SELECT l.* FROM (SELECT DISTINCT contact_id FROM e ORDER BY contact_id) k
   CROSS JOIN LATERAL (SELECT c.id, c.workspace_id, c.last_seq FROM channels.web_contacts c
                        WHERE c.id = k.contact_id FOR UPDATE) l
), known AS MATERIALIZED (
  SELECT t.* FROM (SELECT DISTINCT contact_id, workspace_id, item_id FROM e) k
   CROSS JOIN LATERAL (SELECT t.* FROM channels.web_transcript t
                        WHERE t.contact_id = k.contact_id AND t.item_id = k.item_id OFFSET 0) t
   WHERE t.workspace_id IS NOT DISTINCT FROM k.workspace_id
), fresh AS MATERIALIZED (
  SELECT f.*, (l.last_seq + row_number() OVER (PARTITION BY f.contact_id ORDER BY f.ord))::int AS seq,
         date_trunc('milliseconds', now()) AS created_at
    FROM (SELECT DISTINCT ON (e.contact_id, e.item_id) e.* FROM e
           WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.contact_id = e.contact_id AND k.item_id = e.item_id)
           ORDER BY e.contact_id, e.item_id, e.ord) f
    LEFT JOIN locked l ON l.id = f.contact_id AND l.workspace_id = f.workspace_id
), bumped AS (
  UPDATE channels.web_contacts c SET last_seq = n.last_seq,
         customer_id = COALESCE(link.customer_id, c.customer_id),
         conversation_id = COALESCE(link.link_conversation_id, c.conversation_id)
    FROM (SELECT contact_id, max(seq) AS last_seq FROM fresh GROUP BY contact_id) n
    LEFT JOIN (SELECT DISTINCT ON (contact_id) contact_id, customer_id, link_conversation_id FROM e
                WHERE customer_id IS NOT NULL ORDER BY contact_id, ord DESC) link
      ON link.contact_id = n.contact_id
   WHERE c.id = n.contact_id AND c.id = ANY(${contactIds})
), inserted AS (
  INSERT INTO channels.web_transcript
    (workspace_id, contact_id, seq, item_id, kind, direction, text, attachments, author, conversation_id, form, created_at)
  SELECT workspace_id, contact_id, seq, item_id, kind, direction, text, attachments::jsonb, author::jsonb,
         conversation_id, form::jsonb, created_at
    FROM fresh
), announced AS MATERIALIZED (
  SELECT pg_notify(${channel}, CASE WHEN octet_length(n.notice) <= ${MAX_NOTICE_BYTES} THEN n.notice
           ELSE json_build_object('kind', 'item', 'contactId', f.contact_id)::text END)
    FROM fresh f
    CROSS JOIN LATERAL (SELECT '{"kind":"item","contactId":"' || f.contact_id || '","item":{"seq":' || f.seq
             || ',"at":"' || to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '",'
             || f.notice || '}' AS notice) n
   ORDER BY f.ord
)
SELECT true AS created, f.contact_id, f.item_id, f.seq, f.created_at, NULL::text AS kind, NULL::text AS direction,
       NULL::text AS text, NULL::jsonb AS attachments, NULL::jsonb AS author, NULL::uuid AS conversation_id,
       NULL::timestamptz AS read_at, NULL::jsonb AS form FROM fresh f
 WHERE (SELECT count(*) FROM announced) >= 0
UNION ALL
SELECT false, k.contact_id, k.item_id, k.seq, k.created_at, k.kind, k.direction, k.text, k.attachments,
       k.author, k.conversation_id, k.read_at, k.form FROM known k${resolved}`;
}

/** Items appended for contacts known by id: one array per column, an entry per element ($14: the channel). */
export const APPEND_ITEMS = appendStatement(
  `e AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::uuid[], $10::text[], $11::uuid[], $12::uuid[], $13::text[])
    WITH ORDINALITY AS e(contact_id, workspace_id, item_id, kind, direction, text, attachments, author,
                         conversation_id, form, customer_id, link_conversation_id, notice, ord)
)`,
  '$1::uuid[]',
  '$14',
);

/**
 * A delivery batch of one workspace ($1) stored in the statement that finds its recipients: each
 * entry names its contact by address ($2 the kind, `web_visitor` or `web_user`; $3 the visitor or
 * user id; a merged visitor is the user it became, as `WebContactService.findManyByAddress` reads
 * it), then the arrays of `APPEND_ITEMS` from its item id on ($4–$14), $15 the channel. `r`: each
 * entry's contact, by the workspace's unique index on the address (an entry with none is left out,
 * and stores nothing). Returns the items' rows, then a row per entry found (`created` null,
 * `contact_id`, `seq`: the entry's position from 1).
 */
export const DELIVER_ITEMS = appendStatement(
  `a AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::uuid[], $11::text[], $12::uuid[], $13::uuid[], $14::text[])
    WITH ORDINALITY AS a(address_kind, address, item_id, kind, direction, text, attachments, author,
                         conversation_id, form, customer_id, link_conversation_id, notice, ord)
), r AS MATERIALIZED (
  SELECT a.ord, x.id AS contact_id FROM a
   CROSS JOIN LATERAL (SELECT COALESCE(v.merged_into, v.id) AS id FROM channels.web_contacts v
                        WHERE a.address_kind = 'web_visitor' AND v.workspace_id = $1::uuid AND v.visitor_id = a.address
                       UNION ALL
                       SELECT u.id FROM channels.web_contacts u
                        WHERE a.address_kind = 'web_user' AND u.workspace_id = $1::uuid AND u.user_id = a.address) x
), e AS (
  SELECT r.contact_id, $1::uuid AS workspace_id, a.item_id, a.kind, a.direction, a.text, a.attachments, a.author,
         a.conversation_id, a.form, a.customer_id, a.link_conversation_id, a.notice, a.ord
    FROM a JOIN r ON r.ord = a.ord
)`,
  'ARRAY(SELECT contact_id FROM r)',
  '$15',
  `
UNION ALL
SELECT NULL, r.contact_id, NULL, r.ord::int, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM r`,
);

export interface AppendEntry {
  readonly contact: WebContact;
  readonly item: NewTranscriptItem;
  readonly link?: { readonly customerId: string; readonly conversationId: string };
}

/** A delivery's item for the contact an address names (`web_visitor` or `web_user`). */
export interface DeliverEntry {
  readonly recipient: { readonly kind: string; readonly address: string };
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
   * Appends items for many contacts in one statement (one round trip and one commit, however many
   * contacts: a delivery batch of hundreds is not hundreds of transactions). Contacts are locked in
   * id order, so concurrent appends can't deadlock; each contact's items get the next sequence
   * numbers in the order given. Items whose id the contact already has are returned as stored, not
   * appended. A `link` records history's customer and conversation for the contact.
   */
  async appendMany(entries: readonly AppendEntry[]): Promise<AppendResult[]> {
    if (entries.length === 0) return [];
    const rows = await this.appendRows('web_transcript_append', APPEND_ITEMS, [
      entries.map((e) => e.contact.id),
      entries.map((e) => e.contact.workspaceId),
      ...itemColumns(entries),
      TRANSCRIPT_CHANNEL,
    ]);
    return resultsOf(
      entries.map((entry) => ({ contactId: entry.contact.id, item: entry.item })),
      rows,
    );
  }

  /**
   * A delivery batch of one workspace, its recipients named by address (`web_visitor` visitor ids,
   * `web_user` user ids; a merged visitor is the user it became), found and stored in one statement:
   * a round trip where `findManyByAddress` then `appendMany` take two. As `appendMany` for each
   * entry whose recipient is found; null for one that is not (nothing of it stored).
   */
  async deliverMany(workspaceId: string, entries: readonly DeliverEntry[]): Promise<(AppendResult | null)[]> {
    if (entries.length === 0) return [];
    const rows = await this.appendRows('web_transcript_deliver', DELIVER_ITEMS, [
      workspaceId,
      entries.map((e) => e.recipient.kind),
      entries.map((e) => e.recipient.address),
      ...itemColumns(entries),
      TRANSCRIPT_CHANNEL,
    ]);
    const contactAt = new Map<number, string>();
    for (const row of rows) if (row.created === null) contactAt.set(row.seq, row.contact_id);
    const found: { at: number; contactId: string; item: NewTranscriptItem }[] = [];
    entries.forEach((entry, i) => {
      const contactId = contactAt.get(i + 1);
      if (contactId !== undefined) found.push({ at: i, contactId, item: entry.item });
    });
    const results: (AppendResult | null)[] = entries.map(() => null);
    resultsOf(
      found,
      rows.filter((row) => row.created !== null),
    ).forEach((result, i) => (results[found[i]!.at] = result));
    return results;
  }

  /**
   * The rows of an append (`APPEND_ITEMS` or `DELIVER_ITEMS`). The statement reads the stored ids
   * in the snapshot it started with: an append of the same item that committed while it waited for
   * the contact's lock shows only as a unique violation, and nothing of the statement was written.
   * Once more, the stored item is seen.
   */
  private async appendRows(
    name: string,
    sql: string,
    parameters: readonly unknown[],
  ): Promise<AppendedRow[]> {
    const run = () =>
      preparedRows<AppendedRow>(this.db, name, sql, parameters).catch((error: unknown) => {
        throw gone(error);
      });
    try {
      return await run();
    } catch (error) {
      if (!isUniqueViolation(error, 'web_transcript_contact_id_item_id_key')) throw error;
      return run();
    }
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
      // Each row found by its primary key, then updated by its address (a TID scan): written as a
      // join, a plan made before the table had statistics compared every row of the transcript
      // with every mark (a sequential scan under a nested loop, each flush). Marks and update
      // read one snapshot, so a row another replica marked meanwhile is re-checked as it left it.
      `UPDATE channels.web_transcript t SET delivered_at = now()
       WHERE t.ctid = ANY(ARRAY(
               SELECT f.ctid FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS d(workspace_id, contact_id, seq)
               CROSS JOIN LATERAL (SELECT x.ctid FROM channels.web_transcript x
                                    WHERE x.contact_id = d.contact_id AND x.seq = d.seq
                                      AND x.workspace_id IS NOT DISTINCT FROM d.workspace_id OFFSET 0) f))
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

/**
 * An item's notice JSON after its seq and time: `"id":…}` (the object's members without its opening
 * brace), to which `APPEND_ITEMS` puts `{"seq":…,"at":"…",` in front.
 */
function noticeRest(item: NewTranscriptItem): string {
  const { seq: _seq, at: _at, ...rest } = newItem(item, 0, '');
  return JSON.stringify(rest).slice(1);
}

/** The item's and link's parameter arrays of an append, an element per entry, in the statements' order. */
function itemColumns(entries: readonly (AppendEntry | DeliverEntry)[]): unknown[][] {
  return [
    entries.map((e) => e.item.id),
    entries.map((e) => e.item.kind),
    entries.map((e) => e.item.dir),
    entries.map((e) => e.item.text),
    entries.map((e) => JSON.stringify(e.item.attachments)),
    entries.map((e) => (e.item.author === null ? null : JSON.stringify(e.item.author))),
    entries.map((e) => e.item.conversationId),
    entries.map((e) => (e.item.form === undefined ? null : JSON.stringify(e.item.form))),
    entries.map((e) => e.link?.customerId ?? null),
    entries.map((e) => e.link?.conversationId ?? null),
    entries.map((e) => noticeRest(e.item)),
  ];
}

/**
 * Each entry's result from an append's item rows: as stored (`created: false`), or as numbered; the
 * same id twice in one batch is a repeat the second time.
 */
function resultsOf(
  entries: readonly { contactId: string; item: NewTranscriptItem }[],
  rows: readonly AppendedRow[],
): AppendResult[] {
  const stored = new Map<string, TranscriptItem>();
  const fresh = new Map<string, { seq: number; at: string }>();
  for (const row of rows) {
    const key = `${row.contact_id}|${row.item_id}`;
    if (row.created) fresh.set(key, { seq: row.seq, at: row.created_at.toISOString() });
    else stored.set(key, toItem(row as ItemRow));
  }
  const repeated = new Set<string>();
  return entries.map(({ contactId, item: entry }) => {
    const key = `${contactId}|${entry.id}`;
    const item = stored.get(key);
    if (item) return { contactId, item, created: false };
    const numbered = fresh.get(key);
    if (!numbered) throw new Error(`transcript item ${entry.id} was neither stored nor found`);
    const first = !repeated.has(key);
    repeated.add(key);
    return { contactId, item: newItem(entry, numbered.seq, numbered.at), created: first };
  });
}

/** A failed append whose contact was gone by the time it was locked (its item got no number). */
function gone(error: unknown): Error {
  const { code, column } = (error ?? {}) as { code?: unknown; column?: unknown };
  if (code === '23502' && column === 'seq')
    return new Error('cannot store transcript items: a contact is gone', { cause: error });
  return error instanceof Error ? error : new Error(String(error));
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
