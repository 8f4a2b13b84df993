import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `conversation_label_changes`: every ConversationLabelsChangedV1 history published (ADR 0118), the
 * whole set under the event's id and its `changedAt`, written by `LabelsService.set` in the
 * transaction of the change and of its outbox row. The outbox row is deleted once relayed; this
 * record stays, so a reporting store can rebuild its labels (ADR 0123) past the log's retention.
 * One write site: no trigger on the outbox, whose ingest path would pay for it.
 *
 * Changes made before this migration were not recorded. Each labelled conversation gets one row of
 * the set it carries now, dated by its newest label less a millisecond: older than the live event
 * that set it (whose `changedAt` is taken after the rows were written), so a store that read that
 * event keeps it, and a store rebuilt from history alone gets the right set.
 */
export class ConversationLabelChanges1765180000000 implements MigrationInterface {
  name = 'ConversationLabelChanges1765180000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE history.conversation_label_changes (
        event_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        label_ids uuid[] NOT NULL,
        at timestamptz NOT NULL
      )`);
    await runner.query(
      `CREATE INDEX conversation_label_changes_replay
         ON history.conversation_label_changes (workspace_id, at, event_id)`,
    );
    await runner.query(`
      INSERT INTO history.conversation_label_changes (event_id, workspace_id, conversation_id, label_ids, at)
      SELECT gen_random_uuid(), workspace_id, conversation_id,
             array_agg(label_id ORDER BY created_at, label_id),
             date_trunc('milliseconds', max(created_at)) - interval '1 millisecond'
        FROM history.conversation_labels
       GROUP BY workspace_id, conversation_id`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE history.conversation_label_changes');
  }
}
