import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The provider's id leads the unique key that stores a message once (ADR 0143): `(provider_message_id,
 * channel_account_id, workspace_id)`, the same rows unique as with the workspace first, under the
 * constraint's old name, which ingest recognises in a unique violation. Ingest's dedupe probe finds
 * a message by the provider's id and account and compares the workspace after, so no index led by
 * `workspace_id` can serve it: a generic plan made while the table had no statistics read every
 * message of the workspace through `messages_by_channel_time` for each message of a batch (199–785
 * buffers per message in `bench:e2e`, growing with the table).
 *
 * Rebuilt in the migration's transaction, as history's other indexes on `messages` were: writes to
 * the table wait for the build. Not concurrently: `CREATE INDEX CONCURRENTLY` waits for every
 * transaction older than it, and a replica starting beside this one waits for the migration lock
 * inside such a transaction.
 */
export class MessagesProviderIdLeads1765310000000 implements MigrationInterface {
  name = 'MessagesProviderIdLeads1765310000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE history.messages DROP CONSTRAINT messages_provider_id_unique,
         ADD CONSTRAINT messages_provider_id_unique UNIQUE (provider_message_id, channel_account_id, workspace_id)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE history.messages DROP CONSTRAINT messages_provider_id_unique,
         ADD CONSTRAINT messages_provider_id_unique UNIQUE (workspace_id, channel_account_id, provider_message_id)`,
    );
  }
}
