import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The system of record around the messages: customers and their identities, conversations, the
 * assignment and merge history, erasures, and the transactional outbox that carries history's
 * events to the log (ADR 0010). Messages stored before this migration are attached to one customer
 * per sender address and one conversation per customer, numbered in arrival order.
 */
export class CreateSystemOfRecord1764000100000 implements MigrationInterface {
  name = 'CreateSystemOfRecord1764000100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE history.workspaces (
        id uuid PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE history.customers (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        name text,
        attributes jsonb NOT NULL DEFAULT '{}',
        merged_into uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz
      )`);
    await runner.query(
      'CREATE INDEX customers_by_name ON history.customers (workspace_id, lower(name) text_pattern_ops)',
    );
    await runner.query(
      'CREATE INDEX customers_by_attributes ON history.customers USING gin (attributes jsonb_path_ops)',
    );
    await runner.query(`
      CREATE TABLE history.identities (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        customer_id uuid NOT NULL REFERENCES history.customers (id),
        kind text NOT NULL,
        value text NOT NULL,
        verified boolean NOT NULL,
        opted_out boolean NOT NULL DEFAULT false,
        opt_out_changed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT identities_value_unique UNIQUE (workspace_id, kind, value)
      )`);
    await runner.query('CREATE INDEX identities_by_customer ON history.identities (customer_id)');
    await runner.query(
      'CREATE INDEX identities_by_value_prefix ON history.identities (workspace_id, value text_pattern_ops)',
    );
    // Addresses a customer typed without proof (a pre-chat form's email): never an identity, only
    // the ground for a merge suggestion (ADR 0011).
    await runner.query(`
      CREATE TABLE history.identity_claims (
        workspace_id uuid NOT NULL,
        customer_id uuid NOT NULL REFERENCES history.customers (id),
        kind text NOT NULL,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (customer_id, kind, value)
      )`);
    await runner.query(
      'CREATE INDEX identity_claims_by_value ON history.identity_claims (workspace_id, kind, value)',
    );
    await runner.query(`
      CREATE TABLE history.merge_suggestions (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        candidate_customer_id uuid NOT NULL,
        kind text NOT NULL,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT merge_suggestions_unique UNIQUE (customer_id, candidate_customer_id, kind, value)
      )`);
    await runner.query(
      'CREATE INDEX merge_suggestions_by_candidate ON history.merge_suggestions (candidate_customer_id)',
    );
    await runner.query(`
      CREATE TABLE history.merges (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        target_customer_id uuid NOT NULL,
        source_customer_id uuid NOT NULL,
        merged_by jsonb NOT NULL,
        merged_at timestamptz NOT NULL DEFAULT now(),
        identity_ids uuid[] NOT NULL,
        conversation_ids uuid[] NOT NULL,
        undone_at timestamptz,
        undone_by jsonb
      )`);
    await runner.query('CREATE INDEX merges_by_target ON history.merges (workspace_id, target_customer_id)');
    await runner.query('CREATE INDEX merges_by_source ON history.merges (workspace_id, source_customer_id)');
    await runner.query(`
      CREATE TABLE history.conversations (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        customer_id uuid NOT NULL REFERENCES history.customers (id),
        status text NOT NULL CHECK (status IN ('open', 'pending', 'resolved')),
        channel text,
        channel_account_id text,
        assignee_id text,
        queue_id text,
        assigned_at timestamptz,
        opened_at timestamptz NOT NULL,
        first_response_at timestamptz,
        resolved_at timestamptz,
        last_message_at timestamptz NOT NULL,
        last_message_preview text,
        last_sequence integer NOT NULL DEFAULT 0,
        waiting_since timestamptz,
        csat_rating smallint,
        csat_comment text,
        csat_submitted_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      ) WITH (fillfactor = 70)`);
    // Every inbound message updates its conversation (sequence, last message, waiting since): no
    // index covers those columns and pages keep free space, so the updates are HOT and touch no
    // index (ADR 0012). Lists sort the workspace's conversations of a status, found by index.
    // One open (or pending) conversation per customer across channels: an SMS after a web chat
    // continues it. The index is also what two ingesting partitions race on.
    await runner.query(
      `CREATE UNIQUE INDEX conversations_one_open_per_customer ON history.conversations (customer_id)
       WHERE status <> 'resolved'`,
    );
    await runner.query(
      'CREATE INDEX conversations_by_customer ON history.conversations (workspace_id, customer_id)',
    );
    await runner.query(
      'CREATE INDEX conversations_by_status ON history.conversations (workspace_id, status)',
    );
    await runner.query(`
      CREATE TABLE history.assignments (
        event_id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        agent_id text,
        queue_id text,
        mode text NOT NULL CHECK (mode IN ('assign', 'offer', 'unassign')),
        at timestamptz NOT NULL,
        explanation jsonb
      )`);
    await runner.query(
      'CREATE INDEX assignments_by_conversation ON history.assignments (conversation_id, at)',
    );
    await runner.query(`
      CREATE TABLE history.erasures (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        erased_by jsonb NOT NULL,
        erased_at timestamptz NOT NULL DEFAULT now(),
        messages_erased integer NOT NULL,
        identities_erased integer NOT NULL,
        conversations_kept integer NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE history.outbox (
        id bigserial PRIMARY KEY,
        entries json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await runner.query(`
      ALTER TABLE history.messages
        ALTER COLUMN event_id DROP NOT NULL,
        ALTER COLUMN channel DROP NOT NULL,
        ALTER COLUMN channel_account_id DROP NOT NULL,
        ALTER COLUMN provider_message_id DROP NOT NULL,
        ALTER COLUMN sender_kind DROP NOT NULL,
        ALTER COLUMN sender_address DROP NOT NULL,
        ADD COLUMN conversation_id uuid,
        ADD COLUMN customer_id uuid,
        ADD COLUMN sequence integer,
        ADD COLUMN sender jsonb,
        ADD COLUMN idempotency_key text,
        ADD COLUMN delivery_status text,
        ADD COLUMN delivery_status_at timestamptz,
        ADD COLUMN delivery_error_code text,
        ADD COLUMN delivery_error_message text,
        ADD COLUMN erased boolean NOT NULL DEFAULT false,
        ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(text, ''))) STORED`);
    await this.backfill(runner);
    await runner.query(`
      ALTER TABLE history.messages
        ALTER COLUMN conversation_id SET NOT NULL,
        ALTER COLUMN customer_id SET NOT NULL,
        ALTER COLUMN sequence SET NOT NULL,
        ALTER COLUMN sender SET NOT NULL,
        ADD CONSTRAINT messages_sequence_unique UNIQUE (conversation_id, sequence)`);
    // Only sends carry a key: inbound messages stay out of this index.
    await runner.query(
      `CREATE UNIQUE INDEX messages_idempotency_unique ON history.messages (workspace_id, idempotency_key)
       WHERE idempotency_key IS NOT NULL`,
    );
    await runner.query(
      'CREATE INDEX messages_timeline ON history.messages (workspace_id, customer_id, created_at DESC, id DESC)',
    );
    await runner.query('CREATE INDEX messages_search ON history.messages USING gin (search)');
  }

  /** Gives the messages of the inbound-only schema a customer per sender and a conversation each. */
  private async backfill(runner: QueryRunner): Promise<void> {
    await runner.query(
      'INSERT INTO history.workspaces (id) SELECT DISTINCT workspace_id FROM history.messages',
    );
    await runner.query(`
      CREATE TEMPORARY TABLE senders ON COMMIT DROP AS
      SELECT workspace_id, sender_kind, sender_address,
             gen_random_uuid() AS customer_id, gen_random_uuid() AS conversation_id,
             min(created_at) AS first_at, max(created_at) AS last_at, count(*)::int AS n
      FROM history.messages GROUP BY workspace_id, sender_kind, sender_address`);
    await runner.query(`
      INSERT INTO history.customers (id, workspace_id, created_at, updated_at)
      SELECT customer_id, workspace_id, first_at, last_at FROM senders`);
    await runner.query(`
      INSERT INTO history.identities (id, workspace_id, customer_id, kind, value, verified, created_at)
      SELECT gen_random_uuid(), workspace_id, customer_id, sender_kind, sender_address, true, first_at
      FROM senders`);
    await runner.query(`
      INSERT INTO history.conversations
        (id, workspace_id, customer_id, status, opened_at, last_message_at, last_sequence, waiting_since)
      SELECT conversation_id, workspace_id, customer_id, 'open', first_at, last_at, n, first_at FROM senders`);
    await runner.query(`
      UPDATE history.messages m
      SET customer_id = s.customer_id, conversation_id = s.conversation_id, sequence = r.seq,
          -- The customer's id, as inbound writes it: never the address, which erasure must be
          -- able to clear from the message's own columns.
          sender = jsonb_build_object('type', 'customer', 'id', s.customer_id)
      FROM senders s,
           (SELECT id, row_number() OVER (PARTITION BY workspace_id, sender_kind, sender_address
                                          ORDER BY created_at, id)::int AS seq
            FROM history.messages) r
      WHERE r.id = m.id AND s.workspace_id = m.workspace_id
        AND s.sender_kind = m.sender_kind AND s.sender_address = m.sender_address`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX history.messages_search');
    await runner.query('DROP INDEX history.messages_timeline');
    await runner.query('DROP INDEX history.messages_idempotency_unique');
    await runner.query(`
      ALTER TABLE history.messages
        DROP CONSTRAINT messages_sequence_unique,
        DROP COLUMN search, DROP COLUMN erased, DROP COLUMN delivery_error_message,
        DROP COLUMN delivery_error_code, DROP COLUMN delivery_status_at, DROP COLUMN delivery_status,
        DROP COLUMN idempotency_key, DROP COLUMN sender, DROP COLUMN sequence,
        DROP COLUMN customer_id, DROP COLUMN conversation_id`);
    await runner.query('DELETE FROM history.messages WHERE provider_message_id IS NULL');
    for (const table of [
      'outbox',
      'erasures',
      'assignments',
      'conversations',
      'merges',
      'merge_suggestions',
      'identity_claims',
      'identities',
      'customers',
      'workspaces',
    ]) {
      await runner.query(`DROP TABLE history.${table}`);
    }
  }
}
