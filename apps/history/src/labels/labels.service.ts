import { Injectable } from '@nestjs/common';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  type LabelInput,
  type LabelPatch,
  type LabelTarget,
  type LabelView,
  type MessageSender,
  NotFoundError,
} from '@switchboard/contracts';
import { Clock, InjectServiceDataSource, isUniqueViolation } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { type Db, firstRow, isoRequired, rows } from '../database/sql.util.js';
import { appendToOutbox } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox-relay.service.js';
import { recordConversationLabelChange } from './label-change-record.js';
import { conversationLabelsChangedEntry, customerLabelsChangedEntry } from './label-events.js';

/** A workspace keeps at most this many labels: a list an agent picks from, not a tag cloud. */
export const MAX_LABELS = 200;

interface LabelRow {
  id: string;
  name: string;
  colour: string;
  created_at: Date;
}

const toView = (r: LabelRow): LabelView => ({
  id: r.id,
  name: r.name,
  colour: r.colour,
  createdAt: isoRequired(r.created_at),
});

/** Labels of a workspace (ADR 0115): admins manage them, agents put them on conversations and customers. */
@Injectable()
export class LabelsService {
  constructor(
    @InjectServiceDataSource('history') private readonly db: DataSource,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  list(workspaceId: string): Promise<LabelView[]> {
    return rows<LabelRow>(
      this.db,
      'SELECT id, name, colour, created_at FROM history.labels WHERE workspace_id = $1 ORDER BY lower(name), id',
      [workspaceId],
    ).then((found) => found.map(toView));
  }

  async create(workspaceId: string, input: LabelInput): Promise<LabelView> {
    return this.db.transaction(async (tx) => {
      // Serializes creations in the workspace so the limit holds under concurrent admins.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`history.labels:${workspaceId}`]);
      const count = await firstRow<{ n: number }>(
        tx,
        'SELECT count(*)::int AS n FROM history.labels WHERE workspace_id = $1',
        [workspaceId],
      );
      if ((count?.n ?? 0) >= MAX_LABELS)
        throw new FailedPreconditionError(`a workspace has at most ${MAX_LABELS} labels`);
      const [row] = await this.unique(() =>
        rows<LabelRow>(
          tx,
          `INSERT INTO history.labels (workspace_id, name, colour) VALUES ($1, $2, $3)
           RETURNING id, name, colour, created_at`,
          [workspaceId, input.name, input.colour],
        ),
      );
      return toView(row!);
    });
  }

  async update(workspaceId: string, labelId: string, patch: LabelPatch): Promise<LabelView> {
    const [row] = await this.unique(() =>
      rows<LabelRow>(
        this.db,
        `UPDATE history.labels SET name = coalesce($3, name), colour = coalesce($4, colour), updated_at = now()
         WHERE workspace_id = $1 AND id = $2 RETURNING id, name, colour, created_at`,
        [workspaceId, labelId, patch.name ?? null, patch.colour ?? null],
      ),
    );
    if (row === undefined) throw new NotFoundError(`label ${labelId}`);
    return toView(row);
  }

  async delete(workspaceId: string, labelId: string): Promise<void> {
    const found = await rows<{ id: string }>(
      this.db,
      'DELETE FROM history.labels WHERE workspace_id = $1 AND id = $2 RETURNING id',
      [workspaceId, labelId],
    );
    if (found.length === 0) throw new NotFoundError(`label ${labelId}`);
  }

  /**
   * Replaces the target's labels in one transaction; every label must be the workspace's. A change
   * is told on the log (ConversationLabelsChangedV1 or CustomerLabelsChangedV1, through the outbox
   * in the same transaction) so every agent's open inbox shows it at once (ADR 0117); setting the
   * set already there tells nothing.
   */
  async set(
    workspaceId: string,
    target: LabelTarget,
    labelIds: readonly string[],
    by: MessageSender,
  ): Promise<string[]> {
    const onConversation = 'conversationId' in target;
    const [table, column, parent, id] = onConversation
      ? (['conversation_labels', 'conversation_id', 'conversations', target.conversationId] as const)
      : (['customer_labels', 'customer_id', 'customers', target.customerId] as const);
    const wanted = [...new Set(labelIds)];
    const result = await this.db.transaction(async (tx) => {
      const owner = await firstRow<{ id: string; customer_id: string }>(
        tx,
        `SELECT id, ${onConversation ? 'customer_id' : 'id AS customer_id'} FROM history.${parent}
         WHERE workspace_id = $1 AND id = $2 FOR UPDATE`,
        [workspaceId, id],
      );
      if (owner === undefined) throw new NotFoundError(`${column.replace('_id', '')} ${id}`);
      await this.assertLabels(tx, workspaceId, wanted);
      const removed = await rows<{ label_id: string }>(
        tx,
        `DELETE FROM history.${table} WHERE ${column} = $1 AND NOT (label_id = ANY($2::uuid[])) RETURNING label_id`,
        [id, wanted],
      );
      const added = await rows<{ label_id: string }>(
        tx,
        `INSERT INTO history.${table} (workspace_id, ${column}, label_id)
         SELECT $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING RETURNING label_id`,
        [workspaceId, id, wanted],
      );
      const now = await rows<{ label_id: string }>(
        tx,
        `SELECT label_id FROM history.${table} WHERE ${column} = $1 ORDER BY created_at, label_id`,
        [id],
      );
      const labelIdsNow = now.map((r) => r.label_id);
      if (removed.length === 0 && added.length === 0) return { labelIds: labelIdsNow, changed: false };
      const changedAt = this.clock.iso();
      const entry = onConversation
        ? conversationLabelsChangedEntry({
            workspaceId,
            conversationId: id,
            customerId: owner.customer_id,
            labelIds: labelIdsNow,
            changedBy: by,
            changedAt,
          })
        : customerLabelsChangedEntry({
            workspaceId,
            customerId: id,
            labelIds: labelIdsNow,
            changedBy: by,
            changedAt,
          });
      await appendToOutbox(tx, [entry]);
      // Kept for a replay (ADR 0118): the outbox row goes once relayed, a report's labels must not.
      if (onConversation)
        await recordConversationLabelChange(tx, entry.event.id, workspaceId, id, labelIdsNow, changedAt);
      return { labelIds: labelIdsNow, changed: true };
    });
    if (result.changed) this.relay.kick();
    return result.labelIds;
  }

  private async assertLabels(db: Db, workspaceId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const found = await rows<{ id: string }>(
      db,
      'SELECT id FROM history.labels WHERE workspace_id = $1 AND id = ANY($2::uuid[])',
      [workspaceId, ids],
    );
    const known = new Set(found.map((r) => r.id));
    const missing = ids.find((label) => !known.has(label));
    if (missing !== undefined) throw new NotFoundError(`label ${missing}`);
  }

  /** A name taken (whatever its case) is AlreadyExists, not a database error. */
  private async unique<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AlreadyExistsError('a label with that name already exists');
      throw error;
    }
  }
}
