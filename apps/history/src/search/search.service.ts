import { Injectable } from '@nestjs/common';
import type {
  ConversationStatus,
  CustomerHitView,
  IdentityKind,
  MessageHitView,
  SearchQuery,
  SearchResultsView,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { decodePageToken, encodePageToken, pageSize } from '../database/page-token.util.js';
import { rows } from '../database/sql.util.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessageView } from '../timeline/message-view.js';
import { MATCH_END, MATCH_START, rangesFromHeadline, rangesOf } from './highlight.util.js';

const CUSTOMER_HITS = 10;
/**
 * A filter on conversations (status, assignee, label) that matches at most this many of the
 * workspace's conversations is applied to messages as their ids (ADR 0122): PostgreSQL then knows
 * how few messages can match and reads the word's postings and those conversations' messages by
 * index, rather than walking every message newest first. Above it, the filter is joined.
 */
export const CONVERSATION_IDS_CAP = 1_000;
// ts_headline over the whole text (HighlightAll), each match between two private-use characters
// the text itself is stripped of: the markers become offsets (highlight.util.ts), and the client
// renders plain text around them — no HTML travels.
const HEADLINE_OPTIONS = `HighlightAll=true, StartSel=${MATCH_START}, StopSel=${MATCH_END}`;

type MessageHitRow = MessageRow & {
  customer_name: string | null;
  conversation_status: ConversationStatus;
  headline: string | null;
};

interface CustomerHitRow {
  customer_id: string;
  name: string | null;
  field: 'name' | IdentityKind;
  value: string;
  conversation_id: string | null;
  label_ids: string[];
}

/**
 * The inbox's search (ADR 0116): messages by PostgreSQL full text, newest first, keyset pages;
 * customers by a part of their name or any identity (trigram indexes). Every statement is scoped
 * to the workspace by the leading column of the index it reads.
 */
@Injectable()
export class SearchService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async search(workspaceId: string, query: SearchQuery): Promise<SearchResultsView> {
    const text = query.text.trim();
    const onlyLabel =
      query.channel === undefined &&
      query.status === undefined &&
      query.assigneeId === undefined &&
      query.unassigned !== true &&
      query.from === undefined &&
      query.to === undefined;
    const [messages, customers] = await Promise.all([
      this.messages(workspaceId, text, query),
      query.pageToken === undefined && onlyLabel && text.length >= 2
        ? this.customers(workspaceId, text, query.labelId)
        : Promise.resolve([]),
    ]);
    return { customers, ...messages };
  }

  private async messages(
    workspaceId: string,
    text: string,
    query: SearchQuery,
  ): Promise<{ messages: MessageHitView[]; nextPageToken: string | null }> {
    const size = pageSize(query.pageSize, 20, 50);
    const after = decodePageToken(query.pageToken, ['timestamp', 'uuid']);
    const params: unknown[] = [workspaceId, text];
    const where = ['m.workspace_id = $1', "m.search @@ websearch_to_tsquery('simple', $2)", 'NOT m.erased'];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    let joinConversation = false;
    if (query.channel !== undefined) add((n) => `m.channel = $${n}`, query.channel);
    const conversations = await this.conversationIds(workspaceId, query);
    if (conversations !== null) {
      // The filter matches no conversation: no message can match either.
      if (conversations.length === 0) return { messages: [], nextPageToken: null };
      add((n) => `m.conversation_id = ANY($${n}::uuid[])`, conversations);
    } else {
      if (query.status !== undefined && query.status.length > 0) {
        joinConversation = true;
        add((n) => `c.status = ANY($${n}::text[])`, query.status);
      }
      if (query.assigneeId !== undefined) {
        joinConversation = true;
        add((n) => `c.assignee_id = $${n}`, query.assigneeId);
      }
      if (query.unassigned === true) {
        joinConversation = true;
        where.push('c.assignee_id IS NULL');
      }
      if (query.labelId !== undefined)
        add(
          (n) => `EXISTS (SELECT 1 FROM history.conversation_labels cl
                   WHERE cl.conversation_id = m.conversation_id AND cl.label_id = $${n}::uuid)`,
          query.labelId,
        );
    }
    if (query.from !== undefined) add((n) => `m.created_at >= $${n}::timestamptz`, query.from);
    if (query.to !== undefined) add((n) => `m.created_at < $${n}::timestamptz`, query.to);
    if (after !== null) {
      params.push(after[0], after[1]);
      where.push(`(m.created_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(size + 1, HEADLINE_OPTIONS);
    const [limit, options] = [params.length - 1, params.length];
    // The page is chosen first (ids only), then only its rows are read whole and highlighted.
    // Through conversations' ids, every match is read and the page sorted out of them (OFFSET 0
    // keeps the LIMIT out of the subquery): the word's postings and those conversations' messages
    // by bitmap, a few thousand index entries, where the planner, which costs the newest-first walk
    // as nearly sequential reads, would walk tens of thousands of messages to fill a page (ADR 0122).
    const matching = `SELECT m.id, m.created_at FROM history.messages m
         ${joinConversation ? 'JOIN history.conversations c ON c.id = m.conversation_id' : ''}
         WHERE ${where.join(' AND ')}`;
    const newestFirst =
      conversations !== null
        ? `SELECT id, created_at FROM (${matching} OFFSET 0) matched ORDER BY created_at DESC, id DESC`
        : `${matching} ORDER BY m.created_at DESC, m.id DESC`;
    const found = await rows<MessageHitRow>(
      this.db,
      `WITH hit AS (${newestFirst} LIMIT $${limit})
       SELECT ${MESSAGE_COLUMNS}, cu.name AS customer_name, c.status AS conversation_status,
         ts_headline('simple', translate(m.text, chr(57344) || chr(57345), ''),
                     websearch_to_tsquery('simple', $2), $${options}) AS headline
       FROM hit JOIN history.messages m ON m.id = hit.id
       JOIN history.conversations c ON c.id = m.conversation_id
       JOIN history.customers cu ON cu.id = m.customer_id
       ORDER BY hit.created_at DESC, hit.id DESC`,
      params,
    );
    const page = found.slice(0, size);
    const last = page.at(-1);
    return {
      messages: page.map((row) => ({
        message: toMessageView(row),
        customerName: row.customer_name,
        conversationStatus: row.conversation_status,
        highlights:
          row.text === null || row.headline === null ? [] : rangesFromHeadline(row.text, row.headline),
      })),
      nextPageToken: found.length > size && last ? encodePageToken([last.created_at_key, last.id]) : null,
    };
  }

  /**
   * The ids of the conversations a status, assignee or label filter allows, when there are at most
   * CONVERSATION_IDS_CAP of them; null when no such filter is set or more match (the messages'
   * statement joins the filter then).
   */
  private async conversationIds(workspaceId: string, query: SearchQuery): Promise<string[] | null> {
    const status = query.status !== undefined && query.status.length > 0 ? query.status : undefined;
    if (
      status === undefined &&
      query.assigneeId === undefined &&
      query.unassigned !== true &&
      query.labelId === undefined
    )
      return null;
    const params: unknown[] = [workspaceId];
    const where = ['c.workspace_id = $1'];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (status !== undefined) add((n) => `c.status = ANY($${n}::text[])`, status);
    if (query.assigneeId !== undefined) add((n) => `c.assignee_id = $${n}`, query.assigneeId);
    if (query.unassigned === true) where.push('c.assignee_id IS NULL');
    let sql = `SELECT c.id FROM history.conversations c WHERE ${where.join(' AND ')}`;
    if (query.labelId !== undefined) {
      // Led by the label's rows (`conversation_labels_by_label`, read from the index alone); the
      // conversations are read only for another filter.
      params.push(query.labelId);
      const labelled = `SELECT cl.conversation_id AS id FROM history.conversation_labels cl
                        WHERE cl.workspace_id = $1 AND cl.label_id = $${params.length}::uuid`;
      sql =
        where.length === 1
          ? labelled
          : `SELECT c.id FROM (${labelled}) l JOIN history.conversations c ON c.id = l.id
             WHERE ${where.join(' AND ')}`;
    }
    params.push(CONVERSATION_IDS_CAP + 1);
    const found = await rows<{ id: string }>(this.db, `${sql} LIMIT $${params.length}`, params);
    return found.length > CONVERSATION_IDS_CAP ? null : found.map((r) => r.id);
  }

  private async customers(workspaceId: string, text: string, labelId?: string): Promise<CustomerHitView[]> {
    const pattern = `%${likeEscape(text)}%`;
    // A phone typed as people type it ("(555) 010-1234", "555 0101"): its digits, inside the E.164 value.
    const digits = /^[+\d\s().-]+$/.test(text) ? text.replace(/\D/g, '') : '';
    const digitsPattern = digits.length >= 4 ? `%${digits}%` : null;
    const params: unknown[] = [workspaceId, pattern, digitsPattern, CUSTOMER_HITS * 5];
    let labelFilter = '';
    if (labelId !== undefined) {
      params.push(labelId);
      labelFilter = `AND EXISTS (SELECT 1 FROM history.customer_labels l
                                 WHERE l.customer_id = h.customer_id AND l.label_id = $${params.length}::uuid)`;
    }
    params.push(CUSTOMER_HITS);
    // Phones and emails are stored normalized (E.164, lower case): for them `LIKE` on the lowered
    // pattern finds what `ILIKE` finds, at a third of its cost per row (ILIKE folds the case of
    // every value it reads; EXPLAIN ANALYZE on the bench's 22,000 identities, ADR 0116).
    const found = await rows<CustomerHitRow>(
      this.db,
      `WITH h AS (
         (SELECT c.id AS customer_id, 'name' AS field, c.name AS value, 0 AS rank
          FROM history.customers c WHERE c.workspace_id = $1 AND c.name ILIKE $2 LIMIT $4)
         UNION ALL
         (SELECT i.customer_id, i.kind, i.value, 1 FROM history.identities i
          WHERE i.workspace_id = $1
            AND (CASE WHEN i.kind IN ('phone', 'email') THEN i.value LIKE lower($2) ELSE i.value ILIKE $2 END
                 OR i.value LIKE $3)
          LIMIT $4)
       ), best AS (
         SELECT DISTINCT ON (h.customer_id) h.customer_id, h.field, h.value FROM h
         ORDER BY h.customer_id, h.rank
       )
       SELECT h.customer_id, cu.name, h.field, h.value,
         (SELECT cv.id FROM history.conversations cv WHERE cv.workspace_id = $1 AND cv.customer_id = cu.id
          ORDER BY cv.last_message_at DESC LIMIT 1) AS conversation_id,
         ARRAY(SELECT l.label_id FROM history.customer_labels l WHERE l.customer_id = cu.id
               ORDER BY l.created_at, l.label_id)::text[] AS label_ids
       FROM best h JOIN history.customers cu ON cu.id = h.customer_id
       WHERE cu.workspace_id = $1 AND cu.merged_into IS NULL AND cu.erased_at IS NULL ${labelFilter}
       ORDER BY h.field = 'name' DESC, cu.name NULLS LAST, cu.id
       LIMIT $${params.length}`,
      params,
    );
    return found.map((r) => ({
      customerId: r.customer_id,
      name: r.name,
      field: r.field,
      value: r.value,
      highlights: rangesOf(r.value, r.value.toLowerCase().includes(text.toLowerCase()) ? text : digits),
      conversationId: r.conversation_id,
      labelIds: r.label_ids,
    }));
  }
}

/** `%`, `_` and `\` typed by a person are literal characters, not patterns. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
