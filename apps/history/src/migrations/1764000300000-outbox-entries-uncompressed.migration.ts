import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An outbox row holds a whole ingest batch's events (hundreds of KB of JSON) and lives for a few
 * milliseconds: written, read once by the relay, deleted. Compressing it (TOAST's default) cost
 * more CPU on both ends than anything it saved, on the ingest hot path. Stored out of line, as is.
 */
export class OutboxEntriesUncompressed1764000300000 implements MigrationInterface {
  name = 'OutboxEntriesUncompressed1764000300000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE history.outbox ALTER COLUMN entries SET STORAGE EXTERNAL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE history.outbox ALTER COLUMN entries SET STORAGE EXTENDED');
  }
}
