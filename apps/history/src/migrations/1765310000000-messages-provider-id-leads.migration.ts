import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The provider's id leads the unique key that stores a message once (ADR 0143): `(provider_message_id,
 * channel_account_id, workspace_id)`, the same rows unique as with the workspace first. Ingest's
 * dedupe probe finds a message by the provider's id and account and compares the workspace after,
 * so no index led by `workspace_id` can serve it: a generic plan made while the table had no
 * statistics read every message of the workspace through `messages_by_channel_time` for each
 * message of a batch (784 buffers per message in `bench:e2e`, growing with the table).
 *
 * Built concurrently (outside a transaction: inbound messages keep being written meanwhile), then
 * swapped in for the old constraint in one statement, under the constraint's name, which ingest
 * recognises in a unique violation. A build that failed half-way leaves an invalid index behind:
 * it is dropped first.
 */
export class MessagesProviderIdLeads1765310000000 implements MigrationInterface {
  name = 'MessagesProviderIdLeads1765310000000';
  transaction = false;

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX CONCURRENTLY IF EXISTS history.messages_provider_id_key');
    await runner.query(
      `CREATE UNIQUE INDEX CONCURRENTLY messages_provider_id_key
         ON history.messages (provider_message_id, channel_account_id, workspace_id)`,
    );
    await runner.query(
      `ALTER TABLE history.messages DROP CONSTRAINT messages_provider_id_unique,
         ADD CONSTRAINT messages_provider_id_unique UNIQUE USING INDEX messages_provider_id_key`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX CONCURRENTLY IF EXISTS history.messages_provider_id_key');
    await runner.query(
      `CREATE UNIQUE INDEX CONCURRENTLY messages_provider_id_key
         ON history.messages (workspace_id, channel_account_id, provider_message_id)`,
    );
    await runner.query(
      `ALTER TABLE history.messages DROP CONSTRAINT messages_provider_id_unique,
         ADD CONSTRAINT messages_provider_id_unique UNIQUE USING INDEX messages_provider_id_key`,
    );
  }
}
