import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations of erased customers (ADR 0107): their rows in the store were moved under new,
 * random ids; a late event that still names the old id is dropped rather than starting a
 * conversation of its own. History keeps the same conversation ids after an erasure.
 */
export class ErasedConversations1766000000001 implements MigrationInterface {
  name = 'ErasedConversations1766000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE reporting.erased_conversations (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        erased_at timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, conversation_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE reporting.erased_conversations`);
  }
}
