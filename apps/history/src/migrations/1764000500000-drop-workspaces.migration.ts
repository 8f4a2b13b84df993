import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `history.workspaces` listed every workspace history had seen, and nothing read it: every row
 * carries its `workspace_id` and every query is scoped by that. Writing it cost an insert per new
 * workspace per process, and a cache to spare the rest.
 */
export class DropWorkspaces1764000500000 implements MigrationInterface {
  name = 'DropWorkspaces1764000500000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE history.workspaces');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE history.workspaces (
        id uuid PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      INSERT INTO history.workspaces (id)
      SELECT workspace_id FROM history.customers UNION SELECT workspace_id FROM history.messages`);
  }
}
