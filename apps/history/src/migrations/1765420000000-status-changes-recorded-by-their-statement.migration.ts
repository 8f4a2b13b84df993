import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A write site may record its status change in `history.status_changes` itself, in the statement
 * that inserts the outbox row, and say so (ADR 0152): `status_changes_recorded` on the row, false
 * unless the statement sets it. The outbox's trigger (ADR 0106) skips the rows so marked and still
 * copies every other row's status changes, so a write site that says nothing is recorded as before.
 * The conversation's status change (`SET_STATUS`, about one per message in `bench:e2e`) is the one
 * that marks its row: the trigger's parsing of it was a third of the statement's time.
 *
 * The trigger parses each row it reads once, into `jsonb`, where it read each field out of the
 * `json` text again (eight fields, each parsing the entry from its start).
 */
export class StatusChangesRecordedByTheirStatement1765420000000 implements MigrationInterface {
  name = 'StatusChangesRecordedByTheirStatement1765420000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE history.outbox ADD COLUMN status_changes_recorded boolean NOT NULL DEFAULT false',
    );
    await runner.query(
      `COMMENT ON COLUMN history.outbox.status_changes_recorded IS
         'The statement that inserted the row wrote its status changes to history.status_changes itself: the trigger skips it (ADR 0152)'`,
    );
    await runner.query(`
      CREATE OR REPLACE FUNCTION history.record_status_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO history.status_changes
          (event_id, workspace_id, conversation_id, status, previous_status, changed_by, cause, at)
        SELECT (e.entry #>> '{event,id}')::uuid,
               (e.entry #>> '{event,workspaceId}')::uuid,
               (e.entry #>> '{event,payload,conversationId}')::uuid,
               e.entry #>> '{event,payload,status}',
               e.entry #>> '{event,payload,previousStatus}',
               e.entry #> '{event,payload,changedBy}',
               e.entry #>> '{event,payload,cause}',
               (e.entry #>> '{event,payload,changedAt}')::timestamptz
          FROM added o, jsonb_array_elements(o.entries::jsonb) AS e(entry)
         WHERE NOT o.status_changes_recorded
           AND o.entries::text LIKE '%conversation.status.changed%'
           AND e.entry #>> '{event,type}' = 'conversation.status.changed'
        ON CONFLICT (event_id) DO NOTHING;
        RETURN NULL;
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE OR REPLACE FUNCTION history.record_status_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO history.status_changes
          (event_id, workspace_id, conversation_id, status, previous_status, changed_by, cause, at)
        SELECT (e.entry->'event'->>'id')::uuid,
               (e.entry->'event'->>'workspaceId')::uuid,
               (e.entry->'event'->'payload'->>'conversationId')::uuid,
               e.entry->'event'->'payload'->>'status',
               e.entry->'event'->'payload'->>'previousStatus',
               (e.entry->'event'->'payload'->'changedBy')::jsonb,
               e.entry->'event'->'payload'->>'cause',
               (e.entry->'event'->'payload'->>'changedAt')::timestamptz
          FROM added o, json_array_elements(o.entries) AS e(entry)
         WHERE o.entries::text LIKE '%conversation.status.changed%'
           AND e.entry->'event'->>'type' = 'conversation.status.changed'
        ON CONFLICT (event_id) DO NOTHING;
        RETURN NULL;
      END $$`);
    await runner.query('ALTER TABLE history.outbox DROP COLUMN status_changes_recorded');
  }
}
