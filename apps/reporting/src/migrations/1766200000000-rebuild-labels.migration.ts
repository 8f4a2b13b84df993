import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a rebuild (ADR 0118) stages each conversation's latest label change as history replays
 * them, before its swap applies them to `conversation_labels` with the consumer's own statement.
 * One row per conversation, replaced only by a later change (`changed_at`, then the event id), as
 * in `conversation_labels`. Emptied by the swap, like `rebuild_facts`.
 */
export class RebuildLabels1766200000000 implements MigrationInterface {
  name = 'RebuildLabels1766200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE reporting.rebuild_labels (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        label_ids uuid[] NOT NULL,
        changed_at timestamptz NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (workspace_id, conversation_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE reporting.rebuild_labels');
  }
}
