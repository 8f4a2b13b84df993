import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox's own state: workspaces and their users, server-side sessions (only a hash of the
 * cookie's token is stored, so a database leak signs nobody in), failed sign-ins for rate limiting,
 * invites, per-agent read positions, canned responses, and which replica holds whose WebSocket.
 */
export class CreateInbox1764200000000 implements MigrationInterface {
  name = 'CreateInbox1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE inbox.workspaces (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE inbox.users (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES inbox.workspaces (id),
        email text NOT NULL CHECK (email = lower(email)),
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
        password_hash text NOT NULL,
        disabled_at timestamptz,
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_unique UNIQUE (workspace_id, email)
      )`);
    await runner.query('CREATE INDEX users_email ON inbox.users (email)');
    await runner.query(`
      CREATE TABLE inbox.sessions (
        id uuid PRIMARY KEY,
        token_hash bytea NOT NULL UNIQUE,
        csrf_token text NOT NULL,
        user_id uuid NOT NULL REFERENCES inbox.users (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await runner.query('CREATE INDEX sessions_user_live ON inbox.sessions (user_id) WHERE ended_at IS NULL');
    await runner.query(`
      CREATE TABLE inbox.login_failures (
        id bigserial PRIMARY KEY,
        account_key text NOT NULL,
        ip text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX login_failures_account ON inbox.login_failures (account_key, at)');
    await runner.query('CREATE INDEX login_failures_ip ON inbox.login_failures (ip, at)');
    await runner.query(`
      CREATE TABLE inbox.invites (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES inbox.workspaces (id),
        email text NOT NULL CHECK (email = lower(email)),
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
        token_hash bytea NOT NULL UNIQUE,
        created_by uuid NOT NULL REFERENCES inbox.users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz
      )`);
    await runner.query(`
      CREATE TABLE inbox.conversation_reads (
        user_id uuid NOT NULL REFERENCES inbox.users (id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        last_read_sequence integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, conversation_id)
      )`);
    await runner.query(`
      CREATE TABLE inbox.canned_responses (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES inbox.workspaces (id),
        shortcut text NOT NULL CHECK (shortcut ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
        title text NOT NULL,
        body text NOT NULL,
        created_by uuid REFERENCES inbox.users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT canned_responses_shortcut_unique UNIQUE (workspace_id, shortcut)
      )`);
    await runner.query(`
      CREATE TABLE inbox.replicas (
        replica_id text PRIMARY KEY,
        seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE inbox.live_connections (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES inbox.users (id) ON DELETE CASCADE,
        replica_id text NOT NULL,
        connected_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX live_connections_user ON inbox.live_connections (user_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'live_connections',
      'replicas',
      'canned_responses',
      'conversation_reads',
      'invites',
      'login_failures',
      'sessions',
      'users',
      'workspaces',
    ])
      await runner.query(`DROP TABLE inbox.${table}`);
  }
}
