import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The presence an agent chose last (online, away, offline), so that signing in sets them online
 * unless they chose otherwise: routing knows only the current presence, which a closed tab turns
 * to offline whatever the agent had picked.
 */
export class CreatePresenceChoices1764400000000 implements MigrationInterface {
  name = 'CreatePresenceChoices1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE inbox.presence_choices (
        user_id uuid NOT NULL REFERENCES inbox.users (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES inbox.workspaces (id),
        presence text NOT NULL CHECK (presence IN ('online', 'away', 'offline')),
        chosen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, user_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox.presence_choices');
  }
}
