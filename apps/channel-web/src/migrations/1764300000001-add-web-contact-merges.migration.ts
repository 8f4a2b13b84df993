import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A visitor who signed in on the same browser is merged into the verified user (ADR 0044): its
 * transcript copied over, its token retired, replies to its address delivered to the user.
 */
export class AddWebContactMerges1764300000001 implements MigrationInterface {
  name = 'AddWebContactMerges1764300000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE web_contacts ADD COLUMN merged_into uuid REFERENCES web_contacts (id) ON DELETE SET NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE web_contacts DROP COLUMN merged_into');
  }
}
