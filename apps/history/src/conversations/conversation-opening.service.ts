import { Injectable } from '@nestjs/common';
import { type ConversationOpening, NotFoundError } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import {
  CHANNELS,
  type CustomerRow,
  customerRowView,
  customerViewColumns,
} from '../customers/customer-view.js';
import { encodePageToken, pageSize } from '../database/page-token.util.js';
import { firstRow } from '../database/sql.util.js';
import {
  type MergeSuggestionRow,
  mergeSuggestionsSql,
  toMergeSuggestionView,
} from '../merges/merge-suggestion-view.js';
import { MESSAGE_COLUMNS, type MessageRow, toMessageView } from '../timeline/message-view.js';
import {
  CONVERSATION_COLUMNS,
  CONVERSATION_FROM,
  type ConversationRow,
  toConversationView,
} from './conversation-view.js';

interface OpeningRow {
  conversation: ConversationRow;
  customer: CustomerRow;
  timeline: MessageRow[];
  suggestions: MergeSuggestionRow[];
}

/**
 * Opening a conversation in the inbox, in one statement and one round trip: the conversation, its
 * customer, the newest page of the customer's timeline (keyset on `messages_timeline`, `pageSize`
 * + 1 rows to know whether there is more) and the customer's merge suggestions. Before, four calls
 * in two rounds (the conversation, then the other three on three connections): under load each
 * round waited its turn for the CPU, and the slowest of the three set the pace (ADR 0013).
 */
@Injectable()
export class ConversationOpeningService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async open(
    workspaceId: string,
    conversationId: string,
    query: { timelinePageSize?: number },
  ): Promise<ConversationOpening> {
    const size = pageSize(query.timelinePageSize, 50, 200);
    // Rows become JSON inside the statement; the views' mappers read their timestamps as text.
    const row = await firstRow<OpeningRow>(
      this.db,
      `SELECT row_to_json(conv) AS conversation, row_to_json(cust) AS customer,
         (SELECT coalesce(json_agg(t ORDER BY t.created_at DESC, t.id DESC), '[]')
          FROM (SELECT ${MESSAGE_COLUMNS} FROM history.messages m
                WHERE m.workspace_id = $1 AND m.customer_id = conv.customer_id
                ORDER BY m.created_at DESC, m.id DESC LIMIT $4) t) AS timeline,
         (SELECT coalesce(json_agg(s), '[]') FROM (${mergeSuggestionsSql('conv.customer_id')}) s) AS suggestions
       FROM (SELECT ${CONVERSATION_COLUMNS} FROM ${CONVERSATION_FROM}
             WHERE c.workspace_id = $1 AND c.id = $2) conv
       CROSS JOIN LATERAL (SELECT ${customerViewColumns('$3')} FROM history.customers c
                           WHERE c.workspace_id = $1 AND c.id = conv.customer_id) cust`,
      [workspaceId, conversationId, CHANNELS, size + 1],
    );
    if (row === undefined) throw new NotFoundError(`conversation ${conversationId}`);
    const { mergedInto: _mergedInto, ...customer } = customerRowView(row.customer);
    const page = row.timeline.slice(0, size);
    const last = page.at(-1);
    return {
      conversation: toConversationView(row.conversation),
      customer,
      timeline: {
        items: page.map(toMessageView),
        nextPageToken:
          row.timeline.length > size && last ? encodePageToken([last.created_at_key, last.id]) : null,
      },
      mergeSuggestions: row.suggestions.map(toMergeSuggestionView),
    };
  }
}
