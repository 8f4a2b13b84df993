import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each article did in conversations, for admins to improve the base: answered with, said to
 * help or not, and handed to people after it. Counted by the bot in the same transaction that
 * records the message (or the hand-off) as handled, so a redelivery never counts twice.
 */
export class ArticleStats1765100000002 implements MigrationInterface {
  name = 'ArticleStats1765100000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE bot.article_stats (
        workspace_id uuid NOT NULL,
        article_id uuid NOT NULL,
        answered integer NOT NULL DEFAULT 0,
        helpful integer NOT NULL DEFAULT 0,
        not_helpful integer NOT NULL DEFAULT 0,
        handed_off_after integer NOT NULL DEFAULT 0,
        PRIMARY KEY (workspace_id, article_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE bot.article_stats');
  }
}
