import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merge resolves the source's open conversation when the target has one too (one open
 * conversation per customer); undoing it reopens that conversation as it was. The merge records
 * which conversation it resolved, the status and waiting time it had, and when it resolved it, so
 * that undo can tell whether anyone has resolved or reopened it since (docs/history.md).
 */
export class MergesRememberResolvedConversation1764000200000 implements MigrationInterface {
  name = 'MergesRememberResolvedConversation1764000200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE history.merges
        ADD COLUMN resolved_conversation_id uuid,
        ADD COLUMN resolved_conversation_status text CHECK (resolved_conversation_status IN ('open', 'pending')),
        ADD COLUMN resolved_conversation_waiting_since timestamptz,
        ADD COLUMN resolved_conversation_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE history.merges
        DROP COLUMN resolved_conversation_at,
        DROP COLUMN resolved_conversation_waiting_since,
        DROP COLUMN resolved_conversation_status,
        DROP COLUMN resolved_conversation_id`);
  }
}
