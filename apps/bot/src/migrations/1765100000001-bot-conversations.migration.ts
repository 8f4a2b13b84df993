import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where the bot is switched on, and the conversations it holds. `last_sequence` is the last
 * message of the conversation the bot has handled: a redelivered event is at or below it
 * (messages of one conversation arrive in order, the topic being keyed by workspace).
 */
export class BotConversations1765100000001 implements MigrationInterface {
  name = 'BotConversations1765100000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE bot.channel_bots (
        workspace_id uuid NOT NULL,
        channel text NOT NULL,
        enabled boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, channel)
      )`);
    await runner.query(`
      CREATE TABLE bot.conversations (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        channel text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'handed_off', 'silenced')),
        article_ids text[] NOT NULL DEFAULT '{}',
        unhelpful integer NOT NULL DEFAULT 0,
        last_sequence integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, conversation_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE bot.conversations');
    await runner.query('DROP TABLE bot.channel_bots');
  }
}
