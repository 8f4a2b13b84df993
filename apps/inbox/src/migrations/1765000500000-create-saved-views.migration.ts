import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each user's saved views of the conversation list (ADR 0115): a name and a set of filters. */
export class CreateSavedViews1765000500000 implements MigrationInterface {
  name = 'CreateSavedViews1765000500000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE inbox.saved_views (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES inbox.users (id) ON DELETE CASCADE,
        name text NOT NULL,
        filters jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT saved_views_name_unique UNIQUE (workspace_id, user_id, name)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox.saved_views');
  }
}
