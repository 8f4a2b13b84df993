import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The widget's rate limits, shared by every replica (ADR 0041): one row per limited key holding
 * its theoretical arrival time (GCRA). Unlogged: a crash forgets the limits, which only lets a
 * burst through once, and spares the WAL a write per message.
 */
export class CreateWebRateBuckets1764300000003 implements MigrationInterface {
  name = 'CreateWebRateBuckets1764300000003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE UNLOGGED TABLE web_rate_buckets (
        key text PRIMARY KEY,
        tat timestamptz NOT NULL,
        step interval NOT NULL,
        burst interval NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE web_rate_buckets');
  }
}
