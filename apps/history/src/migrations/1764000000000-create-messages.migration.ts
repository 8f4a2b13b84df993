import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages, deduplicated by the provider's id per channel account: providers retry webhooks and
 * the log redelivers, so the same message can arrive many times and must be stored once.
 */
export class CreateMessages1764000000000 implements MigrationInterface {
  name = 'CreateMessages1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE history.messages (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        event_id uuid NOT NULL,
        direction text NOT NULL CHECK (direction IN ('in', 'out', 'note', 'system')),
        channel text NOT NULL,
        channel_account_id text NOT NULL,
        provider_message_id text NOT NULL,
        sender_kind text NOT NULL,
        sender_address text NOT NULL,
        text text,
        attachments jsonb NOT NULL DEFAULT '[]',
        received_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_provider_id_unique UNIQUE (workspace_id, channel_account_id, provider_message_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE history.messages');
  }
}
