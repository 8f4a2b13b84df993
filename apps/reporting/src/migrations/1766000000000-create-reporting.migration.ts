import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Measures of the hourly buckets: counts, and sums of seconds in calendar and business time. */
export const BUCKET_MEASURES = [
  'conversations',
  'assigned_n',
  'assign_sum',
  'assign_bh_sum',
  'responded_n',
  'response_sum',
  'response_bh_sum',
  'resolved_n',
  'resolution_sum',
  'resolution_bh_sum',
  'replies',
  'reopens',
  'bot_held',
  'bot_resolved',
  'bot_handed_off',
  'csat_n',
  'csat_sum',
  'csat_satisfied',
  'offered',
  'answered',
  'abandoned',
  'asa_sum',
  'asa_bh_sum',
  'sl_15',
  'sl_30',
  'sl_60',
  'sl_120',
  'sl_300',
] as const;

/**
 * The reporting store (ADR 0101). `facts` and `presence` hold what the events said, once per event
 * id; `conversations` (one summary per conversation, with the contribution it made to the
 * buckets), `assignments` (who held it when) and `hourly` (the buckets, by the local hour the
 * conversation was created in) are derived from them and can be rebuilt from them.
 */
export class CreateReporting1766000000000 implements MigrationInterface {
  name = 'CreateReporting1766000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE SCHEMA IF NOT EXISTS reporting`);
    await runner.query(`
      CREATE TABLE reporting.workspace_clocks (
        workspace_id uuid PRIMARY KEY,
        time_zone text NOT NULL,
        business_hours jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE reporting.facts (
        event_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        kind text NOT NULL,
        at timestamptz NOT NULL,
        data jsonb NOT NULL
      )`);
    await runner.query(`CREATE INDEX facts_conversation ON reporting.facts (workspace_id, conversation_id)`);
    await runner.query(`
      CREATE TABLE reporting.presence (
        event_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        agent_id text NOT NULL,
        presence text NOT NULL,
        at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX presence_agent_at ON reporting.presence (workspace_id, agent_id, at)`);
    await runner.query(`
      CREATE TABLE reporting.conversations (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        summary jsonb,
        contribution jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, conversation_id)
      )`);
    await runner.query(`
      CREATE TABLE reporting.assignments (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        agent_id text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX assignments_conversation ON reporting.assignments (workspace_id, conversation_id)`,
    );
    await runner.query(
      `CREATE INDEX assignments_agent ON reporting.assignments (workspace_id, agent_id, started_at)`,
    );
    await runner.query(`
      CREATE TABLE reporting.hourly (
        workspace_id uuid NOT NULL,
        bucket timestamp NOT NULL,
        queue_id text NOT NULL,
        channel text NOT NULL,
        in_hours boolean NOT NULL,
        ${BUCKET_MEASURES.map((m) => `${m} double precision NOT NULL DEFAULT 0`).join(',\n        ')},
        PRIMARY KEY (workspace_id, bucket, queue_id, channel, in_hours)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP SCHEMA reporting CASCADE`);
  }
}
