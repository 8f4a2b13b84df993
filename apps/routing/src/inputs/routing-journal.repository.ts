import { Injectable } from '@nestjs/common';
import {
  InjectServiceDataSource,
  type TraceCarrier,
  activeTraceCarrier,
  returnedRows,
} from '@switchboard/platform';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { RoutingInput } from './routing-input.js';

export interface JournalEntry {
  readonly workspaceId: string;
  /** Dedupe key: the event id for events from the log, a fresh id for API changes. */
  readonly eventId: string;
  readonly input: RoutingInput;
  readonly occurredAt: string;
}

export interface StoredInput {
  readonly seq: number;
  readonly input: RoutingInput;
  /** The trace the entry was appended in (tracing on): the owner's span continues it. */
  readonly trace: TraceCarrier | null;
}

/** NOTIFY channel that wakes the owners when a workspace's journal grows. */
export const ROUTING_INPUTS_CHANNEL = 'routing_inputs';

/**
 * Each workspace's ordered journal of routing inputs. Appending is idempotent (a redelivered event
 * is one entry) and wakes the owner through NOTIFY; the owner reads entries after what it applied.
 */
@Injectable()
export class RoutingJournalRepository {
  constructor(@InjectServiceDataSource('routing') private readonly db: DataSource) {}

  /**
   * Journals `entries` in one statement: in the caller's transaction when given `manager`, else in
   * a transaction of its own (the statement's), so a consumer's batch costs one round trip.
   */
  async append(entries: readonly JournalEntry[], manager?: EntityManager): Promise<number> {
    if (entries.length === 0) return 0;
    const workspaces = [...new Set(entries.map((e) => e.workspaceId))].sort();
    // Sequence numbers are taken at insert but become visible at commit: without the lock a later
    // number could commit first, the owner apply past it, and the earlier one be skipped. Appends
    // to one workspace take turns, so its journal commits in sequence order. `locked` is one row
    // that exists only once every lock is held (an aggregate over them, in sorted order), and the
    // inserted rows are joined to it: no row, so no sequence number, is made before the locks.
    // The entries travel as one JSON parameter, unpacked by json_to_recordset in their order: a
    // text[] or jsonb[] parameter would be an array literal that the driver escapes element by
    // element, and each entry's input is JSON full of quotes to escape.
    const rows: { appended: string }[] = await (manager ?? this.db).query(
      `WITH locked AS (
         SELECT count(pg_advisory_xact_lock(hashtextextended('routing-journal:' || w, 0))) AS held
         FROM unnest($2::uuid[]) AS w
       ), ws AS (
         INSERT INTO routing.workspaces (workspace_id) SELECT unnest($2::uuid[])
         ON CONFLICT DO NOTHING
       ), added AS (
         INSERT INTO routing.inputs (workspace_id, event_id, type, payload, occurred_at, trace)
         SELECT e.w, e.id, e.input->>'type', e.input, e.at, $3::jsonb
         FROM locked, json_to_recordset($1::json) AS e(w uuid, id uuid, input jsonb, at timestamptz)
         ON CONFLICT ON CONSTRAINT inputs_event_unique DO NOTHING
         RETURNING workspace_id
       ), notified AS (
         SELECT pg_notify('${ROUTING_INPUTS_CHANNEL}', w::text) FROM (SELECT DISTINCT workspace_id AS w FROM added) d
       )
       SELECT (SELECT count(*) FROM added) AS appended, (SELECT count(*) FROM notified) AS notified`,
      [
        JSON.stringify(
          entries.map((e) => ({ w: e.workspaceId, id: e.eventId, input: e.input, at: e.occurredAt })),
        ),
        workspaces,
        // One batch, one span: the consumer's (or the API request's) that appends them.
        JSON.stringify(activeTraceCarrier() ?? null),
      ],
    );
    return Number(rows[0]?.appended ?? 0);
  }

  /** Journals a configuration change in the caller's transaction, beside the row it changed. */
  appendConfiguration(manager: EntityManager, workspaceId: string, input: RoutingInput): Promise<number> {
    return this.append(
      [{ workspaceId, eventId: randomUUID(), input, occurredAt: new Date().toISOString() }],
      manager,
    );
  }

  /**
   * Deletes up to `limit` entries the owner has applied (seq ≤ `appliedSeq`) that were journaled
   * before `before`; returns how many went. Entries after `appliedSeq` are never touched.
   */
  async prune(workspaceId: string, appliedSeq: number, before: Date, limit: number): Promise<number> {
    const rows: unknown[] = returnedRows(
      await this.db.query(
        `DELETE FROM routing.inputs WHERE workspace_id = $1 AND seq IN (
           SELECT seq FROM routing.inputs
           WHERE workspace_id = $1 AND created_at < $3 AND seq <= $2
           ORDER BY created_at LIMIT $4)
         RETURNING 1`,
        [workspaceId, appliedSeq, before, limit],
      ),
    );
    return rows.length;
  }

  async after(workspaceId: string, seq: number, limit: number): Promise<StoredInput[]> {
    const rows: { seq: string; payload: RoutingInput; trace: TraceCarrier | null }[] = await this.db.query(
      `SELECT seq, payload, trace FROM routing.inputs WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [workspaceId, seq, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), input: r.payload, trace: r.trace }));
  }
}
