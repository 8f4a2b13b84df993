import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { WorkspaceClock } from '@switchboard/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_CLOCK } from '../clock/workspace-clock.repository.js';
import { BUCKET_MEASURES } from '../migrations/1766000000000-create-reporting.migration.js';
import type { AssignmentInterval, Contribution, ConversationSummary } from './conversation-summary.js';
import type { Fact, FactData, PresenceFact } from './fact.js';

export interface ConversationKey {
  workspaceId: string;
  conversationId: string;
}

export interface StoredConversation extends ConversationKey {
  contribution: Contribution | null;
  clock: WorkspaceClock;
}

export interface WorkspaceContribution extends Contribution {
  workspaceId: string;
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

  /**
   * Records facts once per event id; answers the conversations whose facts are new. A fact of an
   * erased customer's conversation (a late event) is dropped (ADR 0107).
   */
  async insertFacts(tx: EntityManager, facts: readonly Fact[]): Promise<ConversationKey[]> {
    if (facts.length === 0) return [];
    const rows = await queryRows<{ workspace_id: string; conversation_id: string }>(
      tx,
      `INSERT INTO reporting.facts (event_id, workspace_id, conversation_id, kind, at, data)
       SELECT f.* FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::jsonb[])
                 AS f(event_id, workspace_id, conversation_id, kind, at, data)
        WHERE NOT EXISTS (SELECT 1 FROM reporting.erased_conversations e
                           WHERE e.workspace_id = f.workspace_id AND e.conversation_id = f.conversation_id)
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
   * and answers the contribution each has made to the buckets so far, with its workspace's clock.
   * One statement: an upsert that touches an existing row locks it and returns it as stored.
   */
  async lockConversations(
    tx: EntityManager,
    keys: readonly ConversationKey[],
  ): Promise<StoredConversation[]> {
    const rows = await queryRows<{
      workspace_id: string;
      conversation_id: string;
      contribution: Contribution | null;
      time_zone: string | null;
      business_hours: WorkspaceClock['businessHours'];
    }>(
      tx,
      `WITH locked AS (
         INSERT INTO reporting.conversations AS r (workspace_id, conversation_id)
         SELECT * FROM unnest($1::uuid[], $2::uuid[]) ORDER BY 1, 2
         ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET workspace_id = r.workspace_id
         RETURNING r.workspace_id, r.conversation_id, r.contribution)
       SELECT l.workspace_id, l.conversation_id, l.contribution, c.time_zone, c.business_hours
         FROM locked l LEFT JOIN reporting.workspace_clocks c ON c.workspace_id = l.workspace_id`,
      [keys.map((k) => k.workspaceId), keys.map((k) => k.conversationId)],
    );
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      conversationId: r.conversation_id,
      contribution: r.contribution,
      clock:
        r.time_zone === null ? DEFAULT_CLOCK : { timeZone: r.time_zone, businessHours: r.business_hours },
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

  /** Summaries, contributions and assignment spans, in one statement. */
  async writeConversations(tx: EntityManager, updates: readonly ConversationUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const intervals = updates.flatMap((u) => u.intervals.map((i) => ({ ...i, key: u })));
    // The CTEs see one snapshot: the DELETE removes the spans stored before, the INSERT adds the
    // new ones (assignments has no unique key for the two to meet on).
    await tx.query(
      `WITH summaries AS (
         UPDATE reporting.conversations r
            SET summary = u.s, contribution = u.b, updated_at = now()
           FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::jsonb[]) AS u(w, c, s, b)
          WHERE r.workspace_id = u.w AND r.conversation_id = u.c),
       old_spans AS (
         DELETE FROM reporting.assignments a USING unnest($1::uuid[], $2::uuid[]) AS k(w, c)
          WHERE a.workspace_id = k.w AND a.conversation_id = k.c)
       INSERT INTO reporting.assignments (workspace_id, conversation_id, agent_id, started_at, ended_at)
       SELECT * FROM unnest($5::uuid[], $6::uuid[], $7::text[], $8::timestamptz[], $9::timestamptz[])`,
      [
        updates.map((u) => u.workspaceId),
        updates.map((u) => u.conversationId),
        updates.map((u) => JSON.stringify(u.summary)),
        updates.map((u) => JSON.stringify(u.contribution)),
        intervals.map((i) => i.key.workspaceId),
        intervals.map((i) => i.key.conversationId),
        intervals.map((i) => i.agentId),
        intervals.map((i) => new Date(i.startedAt).toISOString()),
        intervals.map((i) => (i.endedAt === null ? null : new Date(i.endedAt).toISOString())),
      ],
    );
  }

  /**
   * Adds deltas to the buckets (created when new), every workspace's in one statement, in key
   * order. A bucket can only fall to 0 conversations when a conversation left it (a new clock, a
   * creation time corrected): only then is a second statement needed to drop the empty ones.
   */
  async addToBuckets(tx: EntityManager, deltas: readonly WorkspaceContribution[]): Promise<void> {
    if (deltas.length === 0) return;
    const rows = [...deltas].sort(
      (a, b) =>
        a.workspaceId.localeCompare(b.workspaceId) ||
        a.bucket.localeCompare(b.bucket) ||
        a.queueId.localeCompare(b.queueId) ||
        a.channel.localeCompare(b.channel) ||
        Number(a.inHours) - Number(b.inHours),
    );
    const columns = BUCKET_MEASURES.join(', ');
    await tx.query(
      `INSERT INTO reporting.hourly (workspace_id, bucket, queue_id, channel, in_hours, ${columns})
       SELECT d.workspace_id, d.bucket, d.queue_id, d.channel, d.in_hours, ${BUCKET_MEASURES.map((m) => `d.${m}`).join(', ')}
         FROM jsonb_to_recordset($1::jsonb)
              AS d(workspace_id uuid, bucket timestamp, queue_id text, channel text, in_hours boolean,
                   ${BUCKET_MEASURES.map((m) => `${m} double precision`).join(', ')})
       ON CONFLICT (workspace_id, bucket, queue_id, channel, in_hours) DO UPDATE SET
         ${BUCKET_MEASURES.map((m) => `${m} = reporting.hourly.${m} + excluded.${m}`).join(', ')}`,
      [
        JSON.stringify(
          rows.map((r) => {
            const row: Record<string, unknown> = {
              workspace_id: r.workspaceId,
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
    const emptied = rows.filter((r) => (r.measures.conversations ?? 0) < 0);
    if (emptied.length > 0)
      await tx.query(
        `DELETE FROM reporting.hourly h USING unnest($1::uuid[], $2::timestamp[]) AS k(w, b)
          WHERE h.workspace_id = k.w AND h.bucket = k.b AND h.conversations = 0`,
        [emptied.map((r) => r.workspaceId), emptied.map((r) => r.bucket)],
      );
  }

  /**
   * Moves erased conversations under new random ids (ADR 0107): their facts, summary, assignment
   * spans and labels (ADR 0123) keep counting, under an id nothing outside the store knows; the old id is remembered
   * only to drop late events. Locks the rows in key order first, like a batch.
   */
  async eraseConversations(
    tx: EntityManager,
    keys: readonly ConversationKey[],
    erasedAt: readonly string[],
  ): Promise<number> {
    if (keys.length === 0) return 0;
    const w = keys.map((k) => k.workspaceId);
    const c = keys.map((k) => k.conversationId);
    const locked = await queryRows<{ workspace_id: string; conversation_id: string }>(
      tx,
      `SELECT r.workspace_id, r.conversation_id FROM reporting.conversations r
         JOIN unnest($1::uuid[], $2::uuid[]) AS k(w, c) ON r.workspace_id = k.w AND r.conversation_id = k.c
        ORDER BY r.workspace_id, r.conversation_id
        FOR UPDATE OF r`,
      [w, c],
    );
    await tx.query(
      `WITH k AS (
         SELECT w, c, min(at) AS at, gen_random_uuid() AS n
           FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS k(w, c, at) GROUP BY w, c),
       facts AS (
         UPDATE reporting.facts f SET conversation_id = k.n FROM k
          WHERE f.workspace_id = k.w AND f.conversation_id = k.c),
       spans AS (
         UPDATE reporting.assignments a SET conversation_id = k.n FROM k
          WHERE a.workspace_id = k.w AND a.conversation_id = k.c),
       labels AS (
         UPDATE reporting.conversation_labels l SET conversation_id = k.n FROM k
          WHERE l.workspace_id = k.w AND l.conversation_id = k.c),
       summaries AS (
         UPDATE reporting.conversations r SET conversation_id = k.n, updated_at = now() FROM k
          WHERE r.workspace_id = k.w AND r.conversation_id = k.c)
       INSERT INTO reporting.erased_conversations (workspace_id, conversation_id, erased_at)
       SELECT w, c, at FROM k
       ON CONFLICT DO NOTHING`,
      [w, c, erasedAt],
    );
    return locked.length;
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
