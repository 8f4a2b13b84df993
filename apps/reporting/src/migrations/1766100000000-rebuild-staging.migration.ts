import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a rebuild (ADR 0106) stages a workspace's facts and erasures as history replays them,
 * before its swap merges them into `facts` and recomputes the workspace's figures. Emptied by the
 * swap; a rebuild that died halfway leaves rows the next rebuild of the workspace clears first.
 */
export class RebuildStaging1766100000000 implements MigrationInterface {
  name = 'RebuildStaging1766100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE reporting.rebuild_facts (
        workspace_id uuid NOT NULL,
        event_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        kind text NOT NULL,
        at timestamptz NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (workspace_id, event_id)
      )`);
    await runner.query(`
      CREATE TABLE reporting.rebuild_erasures (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        erased_at timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, conversation_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE reporting.rebuild_erasures');
    await runner.query('DROP TABLE reporting.rebuild_facts');
  }
}
