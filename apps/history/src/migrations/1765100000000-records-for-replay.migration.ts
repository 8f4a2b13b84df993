import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a consumer of the event log needs to rebuild from history's records once the log's
 * retention has dropped the events (ADR 0106):
 *
 * - `status_changes`: every ConversationStatusChangedV1 history published, copied from the outbox
 *   row that carries it by a trigger, so it is durable in the same statement as the outbox row and
 *   no write site (replies, resolves, merges, erasures, the ones to come) can forget it. The outbox
 *   row is deleted once relayed; this record stays.
 * - `bot_holds`: routing's BotHoldChangedV1 as history's routing consumer reads them, like the
 *   assignments it already keeps, under routing's event id.
 * - Indexes that page a workspace's records by time: status changes, holds, assignments, ratings.
 *
 * Status changes and holds from before this migration were never recorded: a replay holds those
 * that happen after it.
 */
export class RecordsForReplay1765100000000 implements MigrationInterface {
  name = 'RecordsForReplay1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE history.status_changes (
        event_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        status text NOT NULL,
        previous_status text NOT NULL,
        changed_by jsonb NOT NULL,
        cause text,
        at timestamptz NOT NULL
      )`);
    await runner.query(
      'CREATE INDEX status_changes_replay ON history.status_changes (workspace_id, at, event_id)',
    );
    // A statement-level trigger reads the inserted outbox rows once, whatever their number; the
    // LIKE skips parsing rows that carry no status change (most of an ingest batch's rows).
    await runner.query(`
      CREATE FUNCTION history.record_status_changes() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await runner.query(`
      CREATE TRIGGER outbox_records_status_changes AFTER INSERT ON history.outbox
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION history.record_status_changes()`);
    await runner.query(`
      CREATE TABLE history.bot_holds (
        event_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        held boolean NOT NULL,
        reason text,
        agent_id text,
        at timestamptz NOT NULL
      )`);
    await runner.query('CREATE INDEX bot_holds_replay ON history.bot_holds (workspace_id, at, event_id)');
    await runner.query('CREATE INDEX assignments_replay ON history.assignments (workspace_id, at, event_id)');
    await runner.query(
      `CREATE INDEX conversations_csat_replay ON history.conversations (workspace_id, csat_submitted_at, id)
       WHERE csat_submitted_at IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX history.conversations_csat_replay');
    await runner.query('DROP INDEX history.assignments_replay');
    await runner.query('DROP TABLE history.bot_holds');
    await runner.query('DROP TRIGGER outbox_records_status_changes ON history.outbox');
    await runner.query('DROP FUNCTION history.record_status_changes()');
    await runner.query('DROP TABLE history.status_changes');
  }
}
