import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merge gives the target the source's labels (ADR 0117). It records the ids the target gained
 * (not those it already had), so that undo takes back exactly those and each side ends with its
 * own. Merges recorded before this column leave it empty: their undo takes no label back.
 */
export class MergesRememberLabels1765000000000 implements MigrationInterface {
  name = 'MergesRememberLabels1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE history.merges ADD COLUMN label_ids uuid[] NOT NULL DEFAULT '{}'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE history.merges DROP COLUMN label_ids');
  }
}
