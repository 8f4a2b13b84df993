import { Injectable } from '@nestjs/common';
import type { HistoryRecordView, Page, ReplayQuery } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { decodePageToken, encodePageToken, pageSize } from '../database/page-token.util.js';
import { rows } from '../database/sql.util.js';

const DEFAULT_PAGE = 500;
const MAX_PAGE = 2_000;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

interface RecordRow {
  kind: HistoryRecordView['kind'];
  id: string;
  conversation_id: string | null;
  at: Date;
  at_key: string;
  data: Record<string, unknown>;
}

/**
 * Each source pages itself by (at, id) on its own index, past the cursor and within the limit; the
 * union then keeps the first `limit` of all of them. Every source is scoped to the workspace.
 */
const REPLAY_SQL = `
  WITH page AS (
    (SELECT 'message' AS kind, m.id, m.conversation_id, m.created_at AS at,
            jsonb_build_object('sequence', m.sequence, 'direction', m.direction, 'channel', m.channel,
                               'sender', jsonb_build_object('type', m.sender->>'type', 'id', m.sender->>'id')) AS data
       FROM history.messages m
      WHERE m.workspace_id = $1 AND (m.created_at, m.id) > ($2::timestamptz, $3::uuid)
      ORDER BY m.created_at, m.id LIMIT $4)
    UNION ALL
    (SELECT 'status', s.event_id, s.conversation_id, s.at,
            jsonb_build_object('status', s.status, 'previousStatus', s.previous_status, 'cause', s.cause,
                               'changedBy', jsonb_build_object('type', s.changed_by->>'type', 'id', s.changed_by->>'id'))
       FROM history.status_changes s
      WHERE s.workspace_id = $1 AND (s.at, s.event_id) > ($2::timestamptz, $3::uuid)
      ORDER BY s.at, s.event_id LIMIT $4)
    UNION ALL
    (SELECT 'assignment', a.event_id, a.conversation_id, a.at,
            jsonb_build_object('agentId', a.agent_id, 'queueId', a.queue_id, 'mode', a.mode)
       FROM history.assignments a
      WHERE a.workspace_id = $1 AND (a.at, a.event_id) > ($2::timestamptz, $3::uuid)
      ORDER BY a.at, a.event_id LIMIT $4)
    UNION ALL
    (SELECT 'bot_hold', b.event_id, b.conversation_id, b.at,
            jsonb_build_object('held', b.held, 'reason', b.reason)
       FROM history.bot_holds b
      WHERE b.workspace_id = $1 AND (b.at, b.event_id) > ($2::timestamptz, $3::uuid)
      ORDER BY b.at, b.event_id LIMIT $4)
    UNION ALL
    (SELECT 'labels', l.event_id, l.conversation_id, l.at, jsonb_build_object('labelIds', to_jsonb(l.label_ids))
       FROM history.conversation_label_changes l
      WHERE l.workspace_id = $1 AND (l.at, l.event_id) > ($2::timestamptz, $3::uuid)
      ORDER BY l.at, l.event_id LIMIT $4)
    UNION ALL
    (SELECT 'csat', c.id, c.id, c.csat_submitted_at, jsonb_build_object('rating', c.csat_rating)
       FROM history.conversations c
      WHERE c.workspace_id = $1 AND c.csat_submitted_at IS NOT NULL
        AND (c.csat_submitted_at, c.id) > ($2::timestamptz, $3::uuid)
      ORDER BY c.csat_submitted_at, c.id LIMIT $4)
    UNION ALL
    (SELECT 'erasure', e.id, NULL, e.erased_at,
            jsonb_build_object('customerId', e.customer_id, 'conversationIds',
              (SELECT coalesce(jsonb_agg(c.id ORDER BY c.id), '[]'::jsonb) FROM history.conversations c
                WHERE c.workspace_id = e.workspace_id AND c.customer_id = e.customer_id))
       FROM history.erasures e
      WHERE e.workspace_id = $1 AND (e.erased_at, e.id) > ($2::timestamptz, $3::uuid)
      ORDER BY e.erased_at, e.id LIMIT $4))
  SELECT kind, id, conversation_id, at, at::text AS at_key, data FROM page ORDER BY at, id LIMIT $4`;

/**
 * A workspace's records, oldest first, for a consumer that rebuilds from them (ADR 0106): what a
 * reporting store derives from history's events and routing's decisions as history recorded them,
 * and the conversations' label changes (ADR 0118).
 * Never a text, a name, an address or a comment.
 */
@Injectable()
export class ReplayService {
  constructor(@InjectServiceDataSource('history') private readonly db: DataSource) {}

  async records(workspaceId: string, query: ReplayQuery): Promise<Page<HistoryRecordView>> {
    const limit = pageSize(query.pageSize, DEFAULT_PAGE, MAX_PAGE);
    const after = decodePageToken(query.pageToken, ['timestamp', 'uuid']);
    const found = await rows<RecordRow>(this.db, REPLAY_SQL, [
      workspaceId,
      after?.[0] ?? '-infinity',
      after?.[1] ?? NIL_UUID,
      limit,
    ]);
    const last = found[found.length - 1];
    return {
      items: found.map(recordView),
      nextPageToken: found.length === limit && last ? encodePageToken([last.at_key, last.id]) : null,
    };
  }
}

function recordView(row: RecordRow): HistoryRecordView {
  const at = row.at.toISOString();
  const d = row.data;
  const conversationId = row.conversation_id ?? '';
  switch (row.kind) {
    case 'message':
      return {
        kind: 'message',
        id: row.id,
        conversationId,
        at,
        sequence: d.sequence as number,
        direction: d.direction as Extract<HistoryRecordView, { kind: 'message' }>['direction'],
        channel: (d.channel ?? null) as Extract<HistoryRecordView, { kind: 'message' }>['channel'],
        sender: d.sender as Extract<HistoryRecordView, { kind: 'message' }>['sender'],
      };
    case 'status':
      return {
        kind: 'status',
        id: row.id,
        conversationId,
        at,
        status: d.status as Extract<HistoryRecordView, { kind: 'status' }>['status'],
        previousStatus: d.previousStatus as Extract<HistoryRecordView, { kind: 'status' }>['previousStatus'],
        changedBy: d.changedBy as Extract<HistoryRecordView, { kind: 'status' }>['changedBy'],
        cause: d.cause === 'merge' ? 'merge' : null,
      };
    case 'assignment':
      return {
        kind: 'assignment',
        id: row.id,
        conversationId,
        at,
        agentId: (d.agentId ?? null) as string | null,
        queueId: (d.queueId ?? null) as string | null,
        mode: d.mode as Extract<HistoryRecordView, { kind: 'assignment' }>['mode'],
      };
    case 'bot_hold':
      return {
        kind: 'bot_hold',
        id: row.id,
        conversationId,
        at,
        held: d.held as boolean,
        reason: (d.reason ?? null) as string | null,
      };
    case 'labels':
      return { kind: 'labels', id: row.id, conversationId, at, labelIds: d.labelIds as string[] };
    case 'csat':
      return { kind: 'csat', id: row.id, conversationId, at, rating: d.rating as number };
    case 'erasure':
      return {
        kind: 'erasure',
        id: row.id,
        at,
        customerId: d.customerId as string,
        conversationIds: d.conversationIds as string[],
      };
  }
}
