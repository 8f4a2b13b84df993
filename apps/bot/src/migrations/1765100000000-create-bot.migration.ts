import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The bot's knowledge base. `workspaces.revision` rises with every change to a workspace's
 * articles, so a process holding a trained matcher knows when it is stale without comparing rows.
 */
export class CreateBot1765100000000 implements MigrationInterface {
  name = 'CreateBot1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE bot.articles (
        workspace_id uuid NOT NULL,
        id uuid NOT NULL,
        title text NOT NULL,
        answer text NOT NULL,
        questions text[] NOT NULL CHECK (cardinality(questions) > 0),
        tags text[] NOT NULL DEFAULT '{}',
        state text NOT NULL CHECK (state IN ('draft', 'published')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      )`);
    await runner.query('CREATE INDEX articles_recent ON bot.articles (workspace_id, updated_at DESC, id)');
    await runner.query(`
      CREATE TABLE bot.workspaces (
        workspace_id uuid PRIMARY KEY,
        revision bigint NOT NULL DEFAULT 0
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE bot.workspaces');
    await runner.query('DROP TABLE bot.articles');
  }
}
