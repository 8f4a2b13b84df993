import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search's filters read by index (ADR 0122).
 *
 * - `messages_by_channel_time`: a word in one channel, newest first, walks that channel's messages
 *   of the workspace rather than all of them (a channel with few messages, or none, was a walk of
 *   the whole workspace or every posting of the word).
 * - `conversations_by_assignee`: the conversations of one agent (or nobody's) found by index, to
 *   filter messages by their ids. An assignment then updates one more index; the frequent updates
 *   (a message's sequence, preview, waiting since) leave `assignee_id` alone and stay HOT.
 */
export class SearchFilterIndexes1765122000000 implements MigrationInterface {
  name = 'SearchFilterIndexes1765122000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE INDEX messages_by_channel_time ON history.messages (workspace_id, channel, created_at DESC, id DESC)',
    );
    await runner.query(
      'CREATE INDEX conversations_by_assignee ON history.conversations (workspace_id, assignee_id)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX history.conversations_by_assignee');
    await runner.query('DROP INDEX history.messages_by_channel_time');
  }
}
