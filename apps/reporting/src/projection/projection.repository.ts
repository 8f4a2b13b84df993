import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { BUCKET_MEASURES } from '../migrations/1766000000000-create-reporting.migration.js';
import type { AssignmentInterval, Contribution, ConversationSummary } from './conversation-summary.js';
import type { Fact, FactData, PresenceFact } from './fact.js';

export interface ConversationKey {
  workspaceId: string;
  conversationId: string;
}

export interface StoredConversation extends ConversationKey {
  contribution: Contribution | null;
}

export interface ConversationUpdate extends ConversationKey {
  summary: ConversationSummary;
  contribution: Contribution | null;
  intervals: AssignmentInterval[];
}

/** The SQL of the reporting store's writes. */
@Injectable()
export class ProjectionRepository {
  constructor(@InjectServiceDataSource('reporting') readonly db: DataSource) {}

  /** Records facts once per event id; answers the conversations whose facts are new. */
  async insertFacts(tx: EntityManager, facts: readonly Fact[]): Promise<ConversationKey[]> {
    if (facts.length === 0) return [];
    const rows = await queryRows<{ workspace_id: string; conversation_id: string }>(
      tx,
      `INSERT INTO reporting.facts (event_id, workspace_id, conversation_id, kind, at, data)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::jsonb[])
       ON CONFLICT (event_id) DO NOTHING
       RETURNING workspace_id, conversation_id`,
      [
        facts.map((f) => f.eventId),
        facts.map((f) => f.workspaceId),
        facts.map((f) => f.conversationId),
        facts.map((f) => f.data.kind),
        facts.map((f) => new Date(f.at).toISOString()),
        facts.map((f) => JSON.stringify(f.data)),
      ],
    );
    return rows.map((r) => ({ workspaceId: r.workspace_id, conversationId: r.conversation_id }));
  }

  async insertPresence(tx: EntityManager, facts: readonly PresenceFact[]): Promise<void> {
    if (facts.length === 0) return;
    await tx.query(
      `INSERT INTO reporting.presence (event_id, workspace_id, agent_id, presence, at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        facts.map((f) => f.eventId),
        facts.map((f) => f.workspaceId),
        facts.map((f) => f.agentId),
        facts.map((f) => f.presence),
        facts.map((f) => new Date(f.at).toISOString()),
      ],
    );
  }

  /**
   * Locks the conversations' rows (created if new), in key order so two members never deadlock,
   * and answers the contribution each has made to the buckets so far.
   */
  async lockConversations(
    tx: EntityManager,
    keys: readonly ConversationKey[],
  ): Promise<StoredConversation[]> {
    const sortedKeys = [...keys].sort((a, b) =>
      a.workspaceId === b.workspaceId
        ? a.conversationId.localeCompare(b.conversationId)
        : a.workspaceId.localeCompare(b.workspaceId),
    );
    const w = sortedKeys.map((k) => k.workspaceId);
    const c = sortedKeys.map((k) => k.conversationId);
    await tx.query(
      `INSERT INTO reporting.conversations (workspace_id, conversation_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[]) ORDER BY 1, 2
       ON CONFLICT DO NOTHING`,
      [w, c],
    );
    const rows = await queryRows<{
      workspace_id: string;
      conversation_id: string;
      contribution: Contribution | null;
    }>(
      tx,
      `SELECT r.workspace_id, r.conversation_id, r.contribution
         FROM reporting.conversations r
         JOIN unnest($1::uuid[], $2::uuid[]) AS k(w, c) ON r.workspace_id = k.w AND r.conversation_id = k.c
        ORDER BY r.workspace_id, r.conversation_id
        FOR UPDATE OF r`,
      [w, c],
    );
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      conversationId: r.conversation_id,
      contribution: r.contribution,
    }));
  }

  async factsOf(tx: EntityManager, keys: readonly ConversationKey[]): Promise<Fact[]> {
    const rows = await queryRows<{
      event_id: string;
      workspace_id: string;
      conversation_id: string;
      at: Date;
      data: FactData;
    }>(
      tx,
      `SELECT f.event_id, f.workspace_id, f.conversation_id, f.at, f.data
         FROM reporting.facts f
         JOIN unnest($1::uuid[], $2::uuid[]) AS k(w, c) ON f.workspace_id = k.w AND f.conversation_id = k.c`,
      [keys.map((k) => k.workspaceId), keys.map((k) => k.conversationId)],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      workspaceId: r.workspace_id,
      conversationId: r.conversation_id,
      at: r.at.getTime(),
      data: r.data,
    }));
  }

  async writeConversations(tx: EntityManager, updates: readonly ConversationUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const w = updates.map((u) => u.workspaceId);
    const c = updates.map((u) => u.conversationId);
    await tx.query(
      `UPDATE reporting.conversations r
          SET summary = u.s, contribution = u.b, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::jsonb[]) AS u(w, c, s, b)
        WHERE r.workspace_id = u.w AND r.conversation_id = u.c`,
      [
        w,
        c,
        updates.map((u) => JSON.stringify(u.summary)),
        updates.map((u) => JSON.stringify(u.contribution)),
      ],
    );
    await tx.query(
      `DELETE FROM reporting.assignments a USING unnest($1::uuid[], $2::uuid[]) AS k(w, c)
        WHERE a.workspace_id = k.w AND a.conversation_id = k.c`,
      [w, c],
    );
    const intervals = updates.flatMap((u) => u.intervals.map((i) => ({ ...i, key: u })));
    if (intervals.length > 0)
      await tx.query(
        `INSERT INTO reporting.assignments (workspace_id, conversation_id, agent_id, started_at, ended_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[])`,
        [
          intervals.map((i) => i.key.workspaceId),
          intervals.map((i) => i.key.conversationId),
          intervals.map((i) => i.agentId),
          intervals.map((i) => new Date(i.startedAt).toISOString()),
          intervals.map((i) => (i.endedAt === null ? null : new Date(i.endedAt).toISOString())),
        ],
      );
  }

  /** Adds deltas to the buckets (created when new), in key order. */
  async addToBuckets(tx: EntityManager, workspaceId: string, deltas: readonly Contribution[]): Promise<void> {
    if (deltas.length === 0) return;
    const rows = [...deltas].sort(
      (a, b) =>
        a.bucket.localeCompare(b.bucket) ||
        a.queueId.localeCompare(b.queueId) ||
        a.channel.localeCompare(b.channel) ||
        Number(a.inHours) - Number(b.inHours),
    );
    const columns = BUCKET_MEASURES.join(', ');
    await tx.query(
      `INSERT INTO reporting.hourly (workspace_id, bucket, queue_id, channel, in_hours, ${columns})
       SELECT $1::uuid, d.bucket, d.queue_id, d.channel, d.in_hours, ${BUCKET_MEASURES.map((m) => `d.${m}`).join(', ')}
         FROM jsonb_to_recordset($2::jsonb) AS d(bucket timestamp, queue_id text, channel text, in_hours boolean,
              ${BUCKET_MEASURES.map((m) => `${m} double precision`).join(', ')})
       ON CONFLICT (workspace_id, bucket, queue_id, channel, in_hours) DO UPDATE SET
         ${BUCKET_MEASURES.map((m) => `${m} = reporting.hourly.${m} + excluded.${m}`).join(', ')}`,
      [
        workspaceId,
        JSON.stringify(
          rows.map((r) => {
            const row: Record<string, unknown> = {
              bucket: r.bucket,
              queue_id: r.queueId,
              channel: r.channel,
              in_hours: r.inHours,
            };
            for (const m of BUCKET_MEASURES) row[m] = r.measures[m] ?? 0;
            return row;
          }),
        ),
      ],
    );
    // Every contribution counts its conversation: a bucket left at 0 conversations is all zeros.
    await tx.query(
      `DELETE FROM reporting.hourly
        WHERE workspace_id = $1 AND bucket = ANY($2::timestamp[]) AND conversations = 0`,
      [workspaceId, [...new Set(rows.map((r) => r.bucket))]],
    );
  }

  async conversationKeysOf(
    db: DataSource | EntityManager,
    workspaceId: string,
    after: string | null,
    limit: number,
  ): Promise<string[]> {
    const rows = await queryRows<{ conversation_id: string }>(
      db,
      `SELECT conversation_id FROM reporting.conversations
        WHERE workspace_id = $1 AND ($2::uuid IS NULL OR conversation_id > $2::uuid)
        ORDER BY conversation_id LIMIT $3`,
      [workspaceId, after, limit],
    );
    return rows.map((r) => r.conversation_id);
  }
}
