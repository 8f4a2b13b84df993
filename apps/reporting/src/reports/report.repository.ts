import { Injectable } from '@nestjs/common';
import type { ReportDimension } from '@switchboard/contracts';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { BUCKET_MEASURES } from '../migrations/1766000000000-create-reporting.migration.js';
import type { BucketMeasure } from '../projection/conversation-summary.js';
import type { HeldSpan } from './agent-figures.js';

const KEY_SQL: Record<Exclude<ReportDimension, 'agent'>, string> = {
  total: `'total'`,
  hour: `to_char(bucket, 'YYYY-MM-DD"T"HH24:00')`,
  day: `to_char(bucket, 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', bucket), 'YYYY-MM-DD')`,
  month: `to_char(bucket, 'YYYY-MM')`,
  queue: `queue_id`,
  channel: `channel`,
};

export interface BucketQuery {
  dimension: Exclude<ReportDimension, 'agent'>;
  /** Local wall times, `YYYY-MM-DD HH:MM:SS`. */
  from: string;
  to: string;
  inHoursOnly: boolean;
  queueId?: string;
  channel?: string;
  /** Only conversations carrying this label now. */
  labelId?: string;
  /** Only conversations assigned to this agent at some time… */
  agentId?: string;
  /** …by assignments from about this instant (the range's start): older ones cannot count. */
  assignedSince: Date;
}

/** The SQL of the reports' reads, every one scoped to its workspace. */
@Injectable()
export class ReportRepository {
  constructor(@InjectServiceDataSource('reporting') private readonly db: DataSource) {}

  /**
   * Sums of the buckets by the dimension's key. With a label or an agent the hourly buckets (which
   * keep neither) cannot answer: the same sums come from the contributions stored with each
   * conversation, for the conversations the filters pick (ADR 0123).
   */
  async sumBuckets(
    workspaceId: string,
    q: BucketQuery,
  ): Promise<{ key: string; sums: Record<BucketMeasure, number> }[]> {
    const key = KEY_SQL[q.dimension];
    const params: unknown[] = [
      workspaceId,
      q.from,
      q.to,
      q.inHoursOnly,
      q.queueId ?? null,
      q.channel ?? null,
    ];
    const source =
      q.labelId === undefined && q.agentId === undefined
        ? 'reporting.hourly'
        : `(${this.contributionsSql(q, params)}) AS h`;
    const rows = await queryRows<Record<string, string | number>>(
      this.db,
      `SELECT ${key} AS key, ${BUCKET_MEASURES.map((m) => `sum(${m})::float8 AS ${m}`).join(', ')}
         FROM ${source}
        WHERE workspace_id = $1 AND bucket >= $2::timestamp AND bucket < $3::timestamp
          AND ($4::boolean = false OR in_hours)
          AND ($5::text IS NULL OR queue_id = $5) AND ($6::text IS NULL OR channel = $6)
        GROUP BY 1 ORDER BY 1`,
      params,
    );
    return rows.map((r) => {
      const sums = {} as Record<BucketMeasure, number>;
      for (const m of BUCKET_MEASURES) sums[m] = Number(r[m]);
      return { key: String(r.key), sums };
    });
  }

  /**
   * The picked conversations' contributions as rows shaped like the buckets (appending the
   * filters' values to `params`). The label's conversations come from the GIN index on their
   * current labels; the agent's from their assignments since a day before the range (an assignment
   * never precedes the message that opened the conversation; the day covers any time zone).
   */
  private contributionsSql(q: BucketQuery, params: unknown[]): string {
    const picks: string[] = [];
    if (q.labelId !== undefined) {
      params.push(q.labelId);
      picks.push(
        `SELECT conversation_id FROM reporting.conversation_labels
          WHERE workspace_id = $1 AND label_ids @> ARRAY[$${params.length}::uuid]`,
      );
    }
    if (q.agentId !== undefined) {
      params.push(q.agentId, new Date(q.assignedSince.getTime() - 86_400_000));
      picks.push(
        `SELECT conversation_id FROM reporting.assignments
          WHERE workspace_id = $1 AND agent_id = $${params.length - 1} AND started_at >= $${params.length}`,
      );
    }
    const measures = BUCKET_MEASURES.map(
      (m) => `coalesce((r.contribution->'measures'->>'${m}')::float8, 0) AS ${m}`,
    ).join(', ');
    return `SELECT r.workspace_id, (r.contribution->>'bucket')::timestamp AS bucket,
                   r.contribution->>'queueId' AS queue_id, r.contribution->>'channel' AS channel,
                   (r.contribution->>'inHours')::boolean AS in_hours, ${measures}
              FROM reporting.conversations r
             WHERE r.workspace_id = $1 AND r.contribution IS NOT NULL
               AND r.conversation_id IN (${picks.join(' INTERSECT ')})`;
  }

  /** Each agent's last presence before `from`, and every change in [from, to). */
  async presence(
    workspaceId: string,
    from: Date,
    to: Date,
  ): Promise<{ before: Map<string, string>; changes: Map<string, { presence: string; at: number }[]> }> {
    const before = await queryRows<{ agent_id: string; presence: string }>(
      this.db,
      `SELECT DISTINCT ON (agent_id) agent_id, presence FROM reporting.presence
        WHERE workspace_id = $1 AND at < $2 ORDER BY agent_id, at DESC`,
      [workspaceId, from],
    );
    const rows = await queryRows<{ agent_id: string; presence: string; at: Date }>(
      this.db,
      `SELECT agent_id, presence, at FROM reporting.presence
        WHERE workspace_id = $1 AND at >= $2 AND at < $3 ORDER BY at`,
      [workspaceId, from, to],
    );
    const changes = new Map<string, { presence: string; at: number }[]>();
    for (const r of rows) {
      let list = changes.get(r.agent_id);
      if (list === undefined) changes.set(r.agent_id, (list = []));
      list.push({ presence: r.presence, at: r.at.getTime() });
    }
    return { before: new Map(before.map((r) => [r.agent_id, r.presence])), changes };
  }

  /** Assignments that overlap [from, to), open ones ending at `openUntil`. */
  async assignments(
    workspaceId: string,
    from: Date,
    to: Date,
    openUntil: Date,
  ): Promise<Map<string, HeldSpan[]>> {
    const rows = await queryRows<{
      agent_id: string;
      conversation_id: string;
      started_at: Date;
      ended_at: Date;
    }>(
      this.db,
      `SELECT agent_id, conversation_id, started_at, coalesce(ended_at, greatest(started_at, $4::timestamptz)) AS ended_at
         FROM reporting.assignments
        WHERE workspace_id = $1 AND started_at < $3 AND (ended_at IS NULL OR ended_at > $2)`,
      [workspaceId, from, to, openUntil],
    );
    const out = new Map<string, HeldSpan[]>();
    for (const r of rows) {
      let list = out.get(r.agent_id);
      if (list === undefined) out.set(r.agent_id, (list = []));
      list.push({
        conversationId: r.conversation_id,
        start: r.started_at.getTime(),
        end: r.ended_at.getTime(),
      });
    }
    return out;
  }
}
