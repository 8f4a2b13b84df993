import { Injectable } from '@nestjs/common';
import { eventKey, type EventEnvelope } from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';

/** One stored event of a workspace's feed. */
export interface FeedEvent {
  readonly workspaceId: string;
  /** Decimal: bigint in PostgreSQL, gapless from 1 per workspace. */
  readonly sequence: string;
  readonly eventId: string;
  /** `type@version`, e.g. `conversation.assigned@1`. */
  readonly key: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly payload: unknown;
}

export interface FeedBounds {
  /** The newest sequence stored (0 before any). */
  readonly lastSequence: string;
  /** Sequences up to this one were pruned (0 when none). */
  readonly prunedThrough: string;
}

/** Channel of the NOTIFY sent when a workspace's feed grows; the payload is the workspace id. */
export const FEED_CHANNEL = 'api_events';

interface FeedRow {
  workspace_id: string;
  sequence: string;
  event_id: string;
  type: string;
  occurred_at: Date;
  correlation_id: string;
  payload: unknown;
}

/**
 * Each workspace's events, numbered in the order this service stored them (ADR 0061). Appending
 * locks the workspace's counter row for the transaction, so sequence n+1 commits after n: a reader
 * that has seen n never finds an n-1 appearing later, and resuming "after n" misses nothing.
 */
@Injectable()
export class EventFeedService {
  constructor(@InjectServiceDataSource('api') private readonly db: DataSource) {}

  /** Stores the events not stored yet (by event id), in order; returns how many were new. */
  async append(events: readonly EventEnvelope[]): Promise<number> {
    const byWorkspace = new Map<string, EventEnvelope[]>();
    const seen = new Set<string>();
    for (const event of events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      const list = byWorkspace.get(event.workspaceId) ?? [];
      list.push(event);
      byWorkspace.set(event.workspaceId, list);
    }
    if (byWorkspace.size === 0) return 0;
    // Counter rows locked in one global order: two batches never wait on each other in a cycle.
    const workspaces = [...byWorkspace.keys()].sort();
    return this.db.transaction(async (tx) => {
      let added = 0;
      for (const workspaceId of workspaces) {
        const batch = byWorkspace.get(workspaceId)!;
        const [counter] = await tx.query<{ last_sequence: string }[]>(
          `INSERT INTO api.event_counters (workspace_id, last_sequence) VALUES ($1, 0)
           ON CONFLICT (workspace_id) DO UPDATE SET last_sequence = api.event_counters.last_sequence
           RETURNING last_sequence`,
          [workspaceId],
        );
        // Event ids are unique across workspaces (the table's key): a duplicate is one wherever it
        // was stored, so a producer's bug can't turn it into a batch retried forever.
        const existing = await tx.query<{ event_id: string }[]>(
          'SELECT event_id FROM api.events WHERE event_id = ANY($1::uuid[])',
          [batch.map((e) => e.id)],
        );
        const stored = new Set(existing.map((r) => r.event_id));
        const fresh = batch.filter((e) => !stored.has(e.id));
        if (fresh.length === 0) continue;
        const first = BigInt(counter!.last_sequence) + 1n;
        await tx.query(
          `INSERT INTO api.events (workspace_id, sequence, event_id, type, occurred_at, correlation_id, payload)
           SELECT $1, $2::bigint + ord - 1, e.id, e.type, e.occurred_at, e.correlation_id, e.payload
           FROM unnest($3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::jsonb[])
             WITH ORDINALITY AS e(id, type, occurred_at, correlation_id, payload, ord)`,
          [
            workspaceId,
            first.toString(),
            fresh.map((e) => e.id),
            fresh.map((e) => eventKey(e.type, e.version)),
            fresh.map((e) => e.occurredAt),
            fresh.map((e) => e.correlationId),
            fresh.map((e) => JSON.stringify(e.payload)),
          ],
        );
        await tx.query('UPDATE api.event_counters SET last_sequence = $2 WHERE workspace_id = $1', [
          workspaceId,
          (first + BigInt(fresh.length) - 1n).toString(),
        ]);
        // Delivered at commit, to every replica listening: their streams read the new rows.
        await tx.query('SELECT pg_notify($1, $2)', [FEED_CHANNEL, workspaceId]);
        added += fresh.length;
      }
      return added;
    });
  }

  /** Events after `afterSequence`, oldest first; only the `keys` given, when given. */
  async read(
    workspaceId: string,
    afterSequence: string,
    keys: readonly string[] | null,
    limit: number,
  ): Promise<FeedEvent[]> {
    const rows: FeedRow[] = await this.db.query(
      `SELECT workspace_id, sequence::text AS sequence, event_id, type, occurred_at, correlation_id, payload
       FROM api.events
       WHERE workspace_id = $1 AND sequence > $2::bigint AND ($3::text[] IS NULL OR type = ANY($3::text[]))
       -- Qualified: the bare name would sort by the text alias above.
       ORDER BY events.sequence LIMIT $4`,
      [workspaceId, afterSequence, keys, limit],
    );
    return rows.map((row) => ({
      workspaceId: row.workspace_id,
      sequence: row.sequence,
      eventId: row.event_id,
      key: row.type,
      occurredAt: row.occurred_at.toISOString(),
      correlationId: row.correlation_id,
      payload: row.payload,
    }));
  }

  async bounds(workspaceId: string): Promise<FeedBounds> {
    const rows = await this.db.query<{ last: string; pruned: string }[]>(
      'SELECT last_sequence::text AS last, pruned_through::text AS pruned FROM api.event_counters WHERE workspace_id = $1',
      [workspaceId],
    );
    return { lastSequence: rows[0]?.last ?? '0', prunedThrough: rows[0]?.pruned ?? '0' };
  }

  /**
   * Drops about `limit` of the oldest events stored before `cutoff` (through the stored_at index:
   * a batch reads only what it deletes), each feed by sequence (everything up to its newest such
   * event), so a feed never has a hole in the middle; records how far each feed was pruned.
   * Returns how many events went.
   */
  async prune(cutoff: Date, limit: number): Promise<number> {
    const rows = await this.db.query<{ deleted: number }[]>(
      `WITH oldest AS (
         SELECT workspace_id, sequence FROM api.events WHERE stored_at < $1 ORDER BY stored_at LIMIT $2
       ), cut AS (
         SELECT workspace_id, max(sequence) AS through FROM oldest GROUP BY workspace_id
       ), deleted AS (
         DELETE FROM api.events e USING cut WHERE e.workspace_id = cut.workspace_id AND e.sequence <= cut.through
         RETURNING 1
       ), advanced AS (
         UPDATE api.event_counters c SET pruned_through = GREATEST(c.pruned_through, cut.through)
         FROM cut WHERE c.workspace_id = cut.workspace_id
       )
       SELECT count(*)::int AS deleted FROM deleted`,
      [cutoff, limit],
    );
    return rows[0]?.deleted ?? 0;
  }
}
