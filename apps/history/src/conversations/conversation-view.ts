import type { Channel, ConversationStatus, ConversationView } from '@switchboard/contracts';
import { iso, isoRequired } from '../database/sql.util.js';

const PREVIEW_LENGTH = 200;

/** What a conversation shows of its last message: the start of its text. */
export function lastMessagePreview(text: string | null): string | null {
  return text === null ? null : text.slice(0, PREVIEW_LENGTH);
}

export const CONVERSATION_COLUMNS = `c.id, c.workspace_id, c.customer_id, c.status, c.channel, c.channel_account_id,
  c.assignee_id, c.queue_id, c.opened_at, c.first_response_at, c.resolved_at, c.last_message_at,
  c.last_message_preview, c.last_sequence, c.waiting_since, c.csat_rating, c.csat_comment, c.csat_submitted_at,
  cu.name AS customer_name, c.last_message_at::text AS recent_key,
  coalesce(c.waiting_since, 'infinity'::timestamptz)::text AS waiting_key,
  ARRAY(SELECT cl.label_id FROM history.conversation_labels cl WHERE cl.conversation_id = c.id
        ORDER BY cl.created_at, cl.label_id)::text[] AS label_ids`;

export const CONVERSATION_FROM = `history.conversations c JOIN history.customers cu ON cu.id = c.customer_id`;

export interface ConversationRow {
  id: string;
  workspace_id: string;
  customer_id: string;
  status: ConversationStatus;
  channel: Channel | null;
  channel_account_id: string | null;
  assignee_id: string | null;
  queue_id: string | null;
  opened_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  last_message_at: Date;
  last_message_preview: string | null;
  last_sequence: number;
  waiting_since: Date | null;
  csat_rating: number | null;
  csat_comment: string | null;
  csat_submitted_at: Date | null;
  customer_name: string | null;
  recent_key: string;
  waiting_key: string;
  label_ids: string[];
}

export function toConversationView(row: ConversationRow): ConversationView {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    status: row.status,
    channel: row.channel,
    channelAccountId: row.channel_account_id,
    assigneeId: row.assignee_id,
    queueId: row.queue_id,
    openedAt: isoRequired(row.opened_at),
    firstResponseAt: iso(row.first_response_at),
    resolvedAt: iso(row.resolved_at),
    lastMessageAt: isoRequired(row.last_message_at),
    lastMessagePreview: row.last_message_preview,
    lastSequence: row.last_sequence,
    waitingSince: iso(row.waiting_since),
    csat:
      row.csat_rating === null
        ? null
        : {
            rating: row.csat_rating,
            comment: row.csat_comment,
            submittedAt: isoRequired(row.csat_submitted_at!),
          },
    labelIds: row.label_ids,
  };
}
