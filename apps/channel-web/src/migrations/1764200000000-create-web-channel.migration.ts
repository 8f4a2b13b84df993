import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web channel's state in the `channels` schema (ADR 0040): widget settings per workspace,
 * contacts (anonymous visitors and verified users, with their hashed visitor tokens), the session
 * transcript each contact's sockets resume from, attachments, and CSAT answers.
 */
export class CreateWebChannel1764200000000 implements MigrationInterface {
  name = 'CreateWebChannel1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    // The widget key is public (it is in the site's HTML) and names the workspace; the identity
    // secret is sealed like provider credentials.
    await runner.query(`
      CREATE TABLE web_settings (
        workspace_id uuid PRIMARY KEY,
        widget_key text NOT NULL UNIQUE,
        allowed_origins text[] NOT NULL DEFAULT '{}',
        identity_secret_sealed text NOT NULL,
        settings jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per anonymous visitor (visitor_id, found by its token's hash) or verified user
    // (user_id, found by the site's HMAC); the transcript's sequence counter lives here so that
    // appending takes the row lock and sequence numbers commit in order.
    await runner.query(`
      CREATE TABLE web_contacts (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        visitor_id text,
        user_id text,
        token_hash bytea UNIQUE,
        name text,
        email text,
        customer_id uuid,
        conversation_id uuid,
        last_seq integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workspace_id, visitor_id),
        UNIQUE (workspace_id, user_id),
        CHECK ((visitor_id IS NULL) <> (user_id IS NULL))
      )`);
    await runner.query('CREATE INDEX web_contacts_customer ON web_contacts (workspace_id, customer_id)');
    await runner.query(`
      CREATE TABLE web_transcript (
        workspace_id uuid NOT NULL,
        contact_id uuid NOT NULL REFERENCES web_contacts (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        item_id text NOT NULL,
        kind text NOT NULL,
        direction text NOT NULL,
        text text,
        attachments jsonb NOT NULL DEFAULT '[]',
        author jsonb,
        conversation_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        read_at timestamptz,
        PRIMARY KEY (contact_id, seq),
        UNIQUE (contact_id, item_id)
      )`);
    await runner.query(`
      CREATE TABLE web_attachments (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        contact_id uuid NOT NULL REFERENCES web_contacts (id) ON DELETE CASCADE,
        storage_key text NOT NULL UNIQUE,
        content_type text NOT NULL,
        size_bytes integer NOT NULL,
        file_name text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE web_csat (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        contact_id uuid NOT NULL REFERENCES web_contacts (id) ON DELETE CASCADE,
        rating smallint NOT NULL,
        comment text,
        submitted_at timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, conversation_id, contact_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['web_csat', 'web_attachments', 'web_transcript', 'web_contacts', 'web_settings'])
      await runner.query(`DROP TABLE ${table}`);
  }
}
