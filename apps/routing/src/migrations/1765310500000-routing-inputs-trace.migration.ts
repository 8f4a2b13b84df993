import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace context a journal entry was appended in (tracing on, ADR 0105): the owner applies the
 * entry later, maybe in another instance, and continues that trace, so an assignment is seen in the
 * same trace as the message that caused it. Null with tracing off, and for entries from before.
 */
export class RoutingInputsTrace1765310500000 implements MigrationInterface {
  name = 'RoutingInputsTrace1765310500000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE routing.inputs ADD COLUMN trace jsonb');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE routing.inputs DROP COLUMN trace');
  }
}
