import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A signed-in user's messages name the visitors carried over into them (ADR 0044): found by this. */
export class IndexWebContactMerges1764300000002 implements MigrationInterface {
  name = 'IndexWebContactMerges1764300000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE INDEX web_contacts_merged_into ON web_contacts (merged_into) WHERE merged_into IS NOT NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX web_contacts_merged_into');
  }
}
