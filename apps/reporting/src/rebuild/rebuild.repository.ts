import { Injectable } from '@nestjs/common';
import { InjectServiceDataSource, queryRows } from '@switchboard/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { Erasure, Fact, FactData } from '../projection/fact.js';
import { upsertLatestLabels } from '../projection/conversation-labels.repository.js';
import type { LabelChange } from '../projection/label-change.js';

/** The SQL of a rebuild (ADR 0106): its staging rows, and the workspace's figures it starts afresh. */
@Injectable()
export class RebuildRepository {
  constructor(@InjectServiceDataSource('reporting') readonly db: DataSource) {}

  /** What a rebuild of the workspace that stopped halfway left behind. */
  async clearStaging(db: DataSource | EntityManager, workspaceId: string): Promise<void> {
    await db.query('DELETE FROM reporting.rebuild_facts WHERE workspace_id = $1', [workspaceId]);
    await db.query('DELETE FROM reporting.rebuild_erasures WHERE workspace_id = $1', [workspaceId]);
    await db.query('DELETE FROM reporting.rebuild_labels WHERE workspace_id = $1', [workspaceId]);
  }

  /** Stages facts once per key: a record replayed twice (a page asked again) is one row. */
  async stageFacts(facts: readonly Fact[]): Promise<void> {
    if (facts.length === 0) return;
    await this.db.query(
      `INSERT INTO reporting.rebuild_facts (workspace_id, event_id, conversation_id, kind, at, data)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        facts.map((f) => f.workspaceId),
        facts.map((f) => f.eventId),
        facts.map((f) => f.conversationId),
        facts.map((f) => f.data.kind),
        facts.map((f) => new Date(f.at).toISOString()),
        facts.map((f) => JSON.stringify(f.data)),
      ],
    );
  }

  async stageErasures(erasures: readonly Erasure[]): Promise<void> {
    const rows = erasures.flatMap((e) =>
      e.conversationIds.map((conversationId) => ({ w: e.workspaceId, c: conversationId, at: e.erasedAt })),
    );
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO reporting.rebuild_erasures (workspace_id, conversation_id, erased_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [rows.map((r) => r.w), rows.map((r) => r.c), rows.map((r) => r.at)],
    );
  }

  /**
   * Stages each conversation's latest label change (ADR 0118), by the consumer's rule: a later
   * change (`changed_at`, then the event id) replaces the staged one, an older one read on a later
   * page leaves it. `changes`: one per conversation, in key order (`latestPerConversation`).
   */
  async stageLabels(changes: readonly LabelChange[]): Promise<void> {
    await upsertLatestLabels(this.db, 'reporting.rebuild_labels', changes, { skipErased: false });
  }

  /** Staged label changes of the workspace after conversation `after`, in key order. */
  async stagedLabels(
    tx: EntityManager,
    workspaceId: string,
    after: string | null,
    limit: number,
  ): Promise<LabelChange[]> {
    const rows = await queryRows<{
      conversation_id: string;
      label_ids: string[];
      changed_at: Date;
      event_id: string;
    }>(
      tx,
      `SELECT conversation_id, label_ids::text[] AS label_ids, changed_at, event_id FROM reporting.rebuild_labels
        WHERE workspace_id = $1 AND ($2::uuid IS NULL OR conversation_id > $2::uuid)
        ORDER BY conversation_id LIMIT $3`,
      [workspaceId, after, limit],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      workspaceId,
      conversationId: r.conversation_id,
      labelIds: r.label_ids,
      changedAt: r.changed_at.getTime(),
    }));
  }

  /** Staged facts of the workspace after `afterEventId`, in key order. */
  async stagedFacts(
    tx: EntityManager,
    workspaceId: string,
    afterEventId: string | null,
    limit: number,
  ): Promise<Fact[]> {
    const rows = await queryRows<{
      event_id: string;
      conversation_id: string;
      at: Date;
      data: FactData;
    }>(
      tx,
      `SELECT event_id, conversation_id, at, data FROM reporting.rebuild_facts
        WHERE workspace_id = $1 AND ($2::uuid IS NULL OR event_id > $2::uuid)
        ORDER BY event_id LIMIT $3`,
      [workspaceId, afterEventId, limit],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      workspaceId,
      conversationId: r.conversation_id,
      at: r.at.getTime(),
      data: r.data,
    }));
  }

  async stagedErasures(
    tx: EntityManager,
    workspaceId: string,
  ): Promise<{ conversationId: string; erasedAt: string }[]> {
    const rows = await queryRows<{ conversation_id: string; erased_at: Date }>(
      tx,
      `SELECT conversation_id, erased_at FROM reporting.rebuild_erasures
        WHERE workspace_id = $1 ORDER BY conversation_id`,
      [workspaceId],
    );
    return rows.map((r) => ({ conversationId: r.conversation_id, erasedAt: r.erased_at.toISOString() }));
  }

  /**
   * Drops the workspace's figures: summaries, assignment spans and buckets. Its facts, presence,
   * labels, clock and erased ids stay: the figures are recomputed from them in the same
   * transaction, and the labels, like the facts, only gain history's later changes.
   */
  async dropFigures(tx: EntityManager, workspaceId: string): Promise<void> {
    await tx.query('DELETE FROM reporting.assignments WHERE workspace_id = $1', [workspaceId]);
    await tx.query('DELETE FROM reporting.hourly WHERE workspace_id = $1', [workspaceId]);
    await tx.query('DELETE FROM reporting.conversations WHERE workspace_id = $1', [workspaceId]);
  }

  /** The conversations the workspace has facts of, in key order after `after`. */
  async conversationsWithFacts(
    tx: EntityManager,
    workspaceId: string,
    after: string | null,
    limit: number,
  ): Promise<string[]> {
    const rows = await queryRows<{ conversation_id: string }>(
      tx,
      `SELECT DISTINCT conversation_id FROM reporting.facts
        WHERE workspace_id = $1 AND ($2::uuid IS NULL OR conversation_id > $2::uuid)
        ORDER BY conversation_id LIMIT $3`,
      [workspaceId, after, limit],
    );
    return rows.map((r) => r.conversation_id);
  }
}
