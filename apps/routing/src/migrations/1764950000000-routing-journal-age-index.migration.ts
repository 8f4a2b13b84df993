import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets the owner prune a workspace's journal by age (entries applied and older than
 * `ROUTING_JOURNAL_RETENTION_HOURS`) without scanning everything it applied since.
 */
export class RoutingJournalAgeIndex1764950000000 implements MigrationInterface {
  name = 'RoutingJournalAgeIndex1764950000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX inputs_workspace_created ON routing.inputs (workspace_id, created_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX routing.inputs_workspace_created');
  }
}
