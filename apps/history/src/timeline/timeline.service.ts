import { Injectable } from '@nestjs/common';
import {
  InvalidArgumentError,
  type ListMessagesQuery,
  type MessageView,
  NotFoundError,
  type Page,
  type SearchMessagesQuery,
  type TimelineQuery,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { decodePageToken, encodePageToken, pageSize } from '../database/page-token.util.js';
import { rows } from '../database/sql.util.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessageView } from './message-view.js';

/** One customer's messages across channels and conversations; search; a conversation's messages. */
@Injectable()
export class TimelineService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  /**
   * Newest first, keyset on (created_at, id) — served by the messages_timeline index whatever the
   * customer's history length: the first page reads ~pageSize index entries.
   */
  async timeline(workspaceId: string, customerId: string, query: TimelineQuery): Promise<Page<MessageView>> {
    const size = pageSize(query.pageSize, 50, 200);
    const after = decodePageToken(query.pageToken, ['timestamp', 'uuid']);
    const params: unknown[] = [workspaceId, customerId];
    const where = ['m.workspace_id = $1', 'm.customer_id = $2'];
    if (query.channel !== undefined) {
      params.push(query.channel);
      where.push(`m.channel = $${params.length}`);
    }
    if (after !== null) {
      params.push(after[0], after[1]);
      where.push(`(m.created_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(size + 1);
    const found = await rows<MessageRow>(
      this.db,
      `SELECT ${MESSAGE_COLUMNS} FROM history.messages m WHERE ${where.join(' AND ')}
       ORDER BY m.created_at DESC, m.id DESC LIMIT $${params.length}`,
      params,
    );
    // One round trip when there are messages; only an empty page asks whether the customer exists.
    if (found.length === 0) await this.assertCustomer(workspaceId, customerId);
    const page = found.slice(0, size);
    const last = page.at(-1);
    return {
      items: page.map(toMessageView),
      nextPageToken: found.length > size && last ? encodePageToken([last.created_at_key, last.id]) : null,
    };
  }

  /** PostgreSQL full-text search (`simple` configuration: no language guessed), best match first. */
  async search(workspaceId: string, query: SearchMessagesQuery): Promise<Page<MessageView>> {
    if (typeof query.query !== 'string' || query.query.trim() === '' || query.query.length > 500)
      throw new InvalidArgumentError('invalid search', [
        { field: 'query', description: 'must be 1 to 500 characters' },
      ]);
    const size = pageSize(query.pageSize, 20, 100);
    const after = decodePageToken(query.pageToken, ['real', 'uuid']);
    const params: unknown[] = [workspaceId, query.query];
    const where = ['m.workspace_id = $1', 'm.search @@ q.q', 'NOT m.erased'];
    if (query.channel !== undefined) {
      params.push(query.channel);
      where.push(`m.channel = $${params.length}`);
    }
    if (query.customerId !== undefined) {
      params.push(query.customerId);
      where.push(`m.customer_id = $${params.length}::uuid`);
    }
    if (after !== null) {
      params.push(after[0], after[1]);
      where.push(`(ts_rank(m.search, q.q), m.id) < ($${params.length - 1}::real, $${params.length}::uuid)`);
    }
    params.push(size + 1);
    const found = await rows<MessageRow & { rank: number }>(
      this.db,
      `SELECT ${MESSAGE_COLUMNS}, ts_rank(m.search, q.q) AS rank
       FROM history.messages m, websearch_to_tsquery('simple', $2) AS q(q)
       WHERE ${where.join(' AND ')}
       ORDER BY rank DESC, m.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = found.slice(0, size);
    const last = page.at(-1);
    return {
      items: page.map(toMessageView),
      nextPageToken: found.length > size && last ? encodePageToken([Number(last.rank), last.id]) : null,
    };
  }

  async conversationMessages(
    workspaceId: string,
    conversationId: string,
    query: ListMessagesQuery,
  ): Promise<MessageView[]> {
    const size = pageSize(query.pageSize, 100, 500);
    const afterSequence = query.afterSequence ?? 0;
    if (!Number.isInteger(afterSequence) || afterSequence < 0)
      throw new InvalidArgumentError('invalid afterSequence', [
        { field: 'afterSequence', description: 'must be a non-negative integer' },
      ]);
    const conversation = await rows<{ id: string }>(
      this.db,
      'SELECT id FROM history.conversations WHERE workspace_id = $1 AND id = $2',
      [workspaceId, conversationId],
    );
    if (conversation.length === 0) throw new NotFoundError(`conversation ${conversationId}`);
    const found = await rows<MessageRow>(
      this.db,
      `SELECT ${MESSAGE_COLUMNS} FROM history.messages m
       WHERE m.workspace_id = $1 AND m.conversation_id = $2 AND m.sequence > $3
       ORDER BY m.sequence LIMIT $4`,
      [workspaceId, conversationId, afterSequence, size],
    );
    return found.map(toMessageView);
  }

  private async assertCustomer(workspaceId: string, customerId: string): Promise<void> {
    const found = await rows<{ id: string }>(
      this.db,
      'SELECT id FROM history.customers WHERE workspace_id = $1 AND id = $2',
      [workspaceId, customerId],
    );
    if (found.length === 0) throw new NotFoundError(`customer ${customerId}`);
  }
}
