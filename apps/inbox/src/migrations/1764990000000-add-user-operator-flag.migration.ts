import { DEFAULT_WORKSPACE_ID } from '@switchboard/contracts';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operator of the installation (ADR 0059): a user row flagged here sees every workspace on the
 * operator screen. An installation that exists already gets the default workspace's first admin —
 * the person who installed it — as its operator; others are named with `npm run workspace -- operator`.
 */
export class AddUserOperatorFlag1764990000000 implements MigrationInterface {
  name = 'AddUserOperatorFlag1764990000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE inbox.users ADD COLUMN operator boolean NOT NULL DEFAULT false');
    await runner.query(
      `UPDATE inbox.users SET operator = true WHERE id = (
         SELECT id FROM inbox.users WHERE workspace_id = $1 AND role = 'admin' ORDER BY created_at, id LIMIT 1)`,
      [DEFAULT_WORKSPACE_ID],
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE inbox.users DROP COLUMN operator');
  }
}
