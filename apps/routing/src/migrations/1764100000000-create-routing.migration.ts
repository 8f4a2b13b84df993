import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing's state. Configuration (agents, queues) is written by the API; everything else only by
 * the instance that owns the workspace (ADR 0020): `inputs` is the workspace's ordered journal of
 * what happened (events from the log and configuration changes), `workspaces.applied_seq` says how
 * far the owner has applied it, and `epoch` fences a former owner out.
 */
export class CreateRouting1764100000000 implements MigrationInterface {
  name = 'CreateRouting1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE routing.agents (
        workspace_id uuid NOT NULL,
        agent_id text NOT NULL,
        display_name text NOT NULL,
        skills jsonb NOT NULL,
        channel_capacity jsonb NOT NULL,
        default_channel_capacity integer NOT NULL,
        max_concurrent integer,
        queue_ids text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, agent_id)
      )`);
    await runner.query(`
      CREATE TABLE routing.queues (
        workspace_id uuid NOT NULL,
        id text NOT NULL,
        name text NOT NULL,
        priority integer NOT NULL,
        entry jsonb NOT NULL,
        service_level jsonb NOT NULL,
        steps jsonb NOT NULL,
        mode text NOT NULL CHECK (mode IN ('auto', 'offer')),
        offer_timeout_seconds integer NOT NULL,
        max_missed_offers integer NOT NULL,
        preferred_agent jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, id)
      )`);
    await runner.query(
      'CREATE UNIQUE INDEX queues_name_unique ON routing.queues (workspace_id, lower(name))',
    );
    await runner.query(`
      CREATE TABLE routing.workspaces (
        workspace_id uuid PRIMARY KEY,
        applied_seq bigint NOT NULL DEFAULT 0,
        epoch bigint NOT NULL DEFAULT 0
      )`);
    await runner.query(`
      CREATE TABLE routing.inputs (
        seq bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL,
        event_id uuid NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inputs_event_unique UNIQUE (workspace_id, event_id)
      )`);
    await runner.query('CREATE INDEX inputs_workspace_seq ON routing.inputs (workspace_id, seq)');
    await runner.query(`
      CREATE TABLE routing.agent_states (
        workspace_id uuid NOT NULL,
        agent_id text NOT NULL,
        presence text NOT NULL,
        presence_changed_at bigint NOT NULL,
        idle_since bigint,
        last_assigned_at bigint,
        missed_offers integer NOT NULL,
        grace_until bigint,
        load integer NOT NULL,
        load_by_channel jsonb NOT NULL,
        capacity integer NOT NULL,
        PRIMARY KEY (workspace_id, agent_id)
      )`);
    await runner.query(`
      CREATE TABLE routing.conversations (
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        state text NOT NULL,
        queue_id text,
        agent_id text,
        arrived_at timestamptz NOT NULL,
        assigned_at timestamptz,
        decided_at timestamptz,
        resolved_at timestamptz,
        snapshot jsonb NOT NULL,
        PRIMARY KEY (workspace_id, conversation_id)
      )`);
    await runner.query(
      "CREATE INDEX conversations_active ON routing.conversations (workspace_id, state) WHERE state <> 'resolved'",
    );
    await runner.query(
      'CREATE INDEX conversations_assigned_at ON routing.conversations (workspace_id, assigned_at)',
    );
    await runner.query(`
      CREATE TABLE routing.customer_agents (
        workspace_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        agent_id text NOT NULL,
        served_at bigint NOT NULL,
        PRIMARY KEY (workspace_id, customer_id)
      )`);
    await runner.query(`
      CREATE TABLE routing.outbox (
        id bigserial PRIMARY KEY,
        workspace_id uuid NOT NULL,
        topic text NOT NULL,
        event jsonb NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'outbox',
      'customer_agents',
      'conversations',
      'agent_states',
      'inputs',
      'workspaces',
      'queues',
      'agents',
    ]) {
      await runner.query(`DROP TABLE routing.${table}`);
    }
  }
}
