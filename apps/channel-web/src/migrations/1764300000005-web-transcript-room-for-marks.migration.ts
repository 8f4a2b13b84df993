import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every reply's row is updated once a socket has it (`delivered_at`) and again once it is read
 * (`read_at`), columns no index holds: with room left on its page the new version stays there
 * (a HOT update) and neither index gets an entry. Filled to the brim, every mark wrote two index
 * entries (ADR 0145). Applies to pages filled from now on.
 */
export class WebTranscriptRoomForMarks1764300000005 implements MigrationInterface {
  name = 'WebTranscriptRoomForMarks1764300000005';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE web_transcript SET (fillfactor = 80)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE web_transcript RESET (fillfactor)');
  }
}
