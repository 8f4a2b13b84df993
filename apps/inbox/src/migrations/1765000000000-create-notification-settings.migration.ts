import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each user's notification settings (ADR 0111): kept on the server so they follow the person to
 * every browser and tab. No row means the defaults (everything on).
 */
export class CreateNotificationSettings1765000000000 implements MigrationInterface {
  name = 'CreateNotificationSettings1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE inbox.notification_settings (
        user_id uuid NOT NULL REFERENCES inbox.users (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES inbox.workspaces (id),
        desktop boolean NOT NULL,
        sound boolean NOT NULL,
        on_assigned boolean NOT NULL,
        on_customer_message boolean NOT NULL,
        on_mention boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, user_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox.notification_settings');
  }
}
