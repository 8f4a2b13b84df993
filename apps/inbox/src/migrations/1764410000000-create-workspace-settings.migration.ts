import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workspaces become things people create (sign-up, CLI) and set up: a time zone and business
 * hours beside the name. Users of several workspaces: one user row per workspace (its own role and
 * sessions, as before), rows of one person sharing an `account_id` — set only where the person was
 * signed in when the row was made (they created the workspace), so switching workspaces never
 * trusts an email an admin typed. NULL: the row is its own account.
 */
export class CreateWorkspaceSettings1764410000000 implements MigrationInterface {
  name = 'CreateWorkspaceSettings1764410000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE inbox.workspaces
        ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
        ADD COLUMN business_hours jsonb,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await runner.query('ALTER TABLE inbox.users ADD COLUMN account_id uuid');
    await runner.query('CREATE INDEX users_account ON inbox.users (account_id) WHERE account_id IS NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX inbox.users_account');
    await runner.query('ALTER TABLE inbox.users DROP COLUMN account_id');
    await runner.query(
      'ALTER TABLE inbox.workspaces DROP COLUMN time_zone, DROP COLUMN business_hours, DROP COLUMN updated_at',
    );
  }
}
