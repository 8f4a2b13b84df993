import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snoozed conversations (ADR 0112): out of the open lists until `until` (null: until the customer
 * writes), or until the customer writes, whichever comes first. A woken snooze is deleted.
 */
export class CreateSnoozes1765000100000 implements MigrationInterface {
  name = 'CreateSnoozes1765000100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE inbox.snoozes (
        workspace_id uuid NOT NULL REFERENCES inbox.workspaces (id),
        conversation_id uuid NOT NULL,
        snoozed_by uuid NOT NULL,
        until timestamptz,
        snoozed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, conversation_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox.snoozes');
  }
}
