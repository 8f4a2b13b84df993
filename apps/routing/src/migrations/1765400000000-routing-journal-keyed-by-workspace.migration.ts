import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The journal's primary key becomes (workspace_id, seq), which the owner's reads and the pruning
 * already look rows up by, and the separate index on those columns goes: every entry appended fed
 * four indexes, now three (ADR 0139). `seq` alone stays unique: it is still a bigserial.
 */
export class RoutingJournalKeyedByWorkspace1765400000000 implements MigrationInterface {
  name = 'RoutingJournalKeyedByWorkspace1765400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE routing.inputs DROP CONSTRAINT inputs_pkey, ADD CONSTRAINT inputs_pkey PRIMARY KEY (workspace_id, seq)',
    );
    await runner.query('DROP INDEX routing.inputs_workspace_seq');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX inputs_workspace_seq ON routing.inputs (workspace_id, seq)');
    await runner.query(
      'ALTER TABLE routing.inputs DROP CONSTRAINT inputs_pkey, ADD CONSTRAINT inputs_pkey PRIMARY KEY (seq)',
    );
  }
}
