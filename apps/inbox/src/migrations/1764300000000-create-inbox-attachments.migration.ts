import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files agents attach to replies: the bytes in the process's AttachmentStore under
 * `inbox/<workspace>/<id>` (ADR 0055), indexed here with what they were checked to be.
 */
export class CreateInboxAttachments1764300000000 implements MigrationInterface {
  name = 'CreateInboxAttachments1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE inbox.attachments (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        uploaded_by uuid NOT NULL,
        storage_key text NOT NULL UNIQUE,
        content_type text NOT NULL,
        size_bytes integer NOT NULL,
        file_name text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox.attachments');
  }
}
