import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys (only their SHA-256 is kept) and the event feed EventService streams from: each
 * workspace's events numbered 1, 2, 3… by a per-workspace counter whose row lock serializes the
 * writers, so a sequence becomes visible only after every smaller one (ADR 0061).
 */
export class CreateApi1764800000000 implements MigrationInterface {
  name = 'CreateApi1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE api.api_keys (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        name text NOT NULL,
        scope text NOT NULL CHECK (scope IN ('read', 'read-write')),
        key_prefix text NOT NULL,
        key_hash bytea NOT NULL UNIQUE,
        rate_limit_per_second integer CHECK (rate_limit_per_second > 0),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        last_used_at timestamptz
      )`);
    await runner.query('CREATE INDEX api_keys_workspace ON api.api_keys (workspace_id, created_at)');
    await runner.query(`
      CREATE TABLE api.event_counters (
        workspace_id uuid PRIMARY KEY,
        last_sequence bigint NOT NULL,
        pruned_through bigint NOT NULL DEFAULT 0
      )`);
    await runner.query(`
      CREATE TABLE api.events (
        workspace_id uuid NOT NULL,
        sequence bigint NOT NULL,
        event_id uuid NOT NULL UNIQUE,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        correlation_id text NOT NULL,
        payload jsonb NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, sequence)
      )`);
    await runner.query('CREATE INDEX events_stored_at ON api.events (stored_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE api.events');
    await runner.query('DROP TABLE api.event_counters');
    await runner.query('DROP TABLE api.api_keys');
  }
}
