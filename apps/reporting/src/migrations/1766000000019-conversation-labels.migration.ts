import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each conversation's labels now (ADR 0123), from `conversation.labels.changed` (the whole set,
 * ADR 0117): one row per conversation, replaced only by a later change (`changed_at`, then the
 * event id), so redelivered and reordered events end on the same set. Label-filtered reports find
 * a label's conversations through the GIN index, then read their stored contributions.
 */
export class ConversationLabels1766000000019 implements MigrationInterface {
  name = 'ConversationLabels1766000000019';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE reporting.conversation_labels (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        label_ids uuid[] NOT NULL,
        changed_at timestamptz NOT NULL,
        event_id uuid NOT NULL,
        PRIMARY KEY (workspace_id, conversation_id)
      )`);
    await runner.query(
      `CREATE INDEX conversation_labels_label ON reporting.conversation_labels USING gin (label_ids)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE reporting.conversation_labels`);
  }
}
