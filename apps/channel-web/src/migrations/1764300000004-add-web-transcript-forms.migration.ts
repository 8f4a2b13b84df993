import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reply that asks for a secure form carries it (`{"kind":"card"}`), and `submitted` once the
 * customer sent its token (ADR 0082). The form's values are never stored: only the token's
 * summary, in the customer's own transcript item.
 */
export class AddWebTranscriptForms1764300000004 implements MigrationInterface {
  name = 'AddWebTranscriptForms1764300000004';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE web_transcript ADD COLUMN form jsonb');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE web_transcript DROP COLUMN form');
  }
}
