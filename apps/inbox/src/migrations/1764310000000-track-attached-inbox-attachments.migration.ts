import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an upload was first named by a reply (`attached_at`), so that uploads never sent can be
 * swept after a while (ADR 0055). Uploads older than this migration count as attached: whether
 * they were sent is not known, and keeping a file is the safe side.
 */
export class TrackAttachedInboxAttachments1764310000000 implements MigrationInterface {
  name = 'TrackAttachedInboxAttachments1764310000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE inbox.attachments ADD COLUMN attached_at timestamptz');
    await runner.query('UPDATE inbox.attachments SET attached_at = created_at');
    // The sweep reads only unsent uploads, oldest first.
    await runner.query(
      'CREATE INDEX attachments_unsent_idx ON inbox.attachments (created_at) WHERE attached_at IS NULL',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX inbox.attachments_unsent_idx');
    await runner.query('ALTER TABLE inbox.attachments DROP COLUMN attached_at');
  }
}
