import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files agents sent to a web contact (ADR 0043): the contact may download them by the grant's id,
 * nobody else can; the bytes stay where the storage key says.
 */
export class CreateWebAttachmentGrants1764300000000 implements MigrationInterface {
  name = 'CreateWebAttachmentGrants1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE web_attachment_grants (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        contact_id uuid NOT NULL REFERENCES web_contacts (id) ON DELETE CASCADE,
        storage_key text NOT NULL,
        content_type text NOT NULL,
        size_bytes integer NOT NULL,
        file_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (contact_id, storage_key)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE web_attachment_grants');
  }
}
