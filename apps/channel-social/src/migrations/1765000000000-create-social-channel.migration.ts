import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The social channels' state in the `channels` schema, beside the SMS and web tables: accounts
 * (a WhatsApp number, a Facebook page, an Instagram account, a Telegram bot; secrets sealed),
 * receipts of inbound provider ids (Meta and Telegram retry), the customer-service windows
 * (when each customer last wrote), and outbound messages by the provider's id (statuses name
 * only that).
 */
export class CreateSocialChannel1765000000000 implements MigrationInterface {
  name = 'CreateSocialChannel1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    // The provider's id of the number, page, account or bot is how a webhook finds its workspace:
    // unique across workspaces.
    await runner.query(`
      CREATE TABLE social_accounts (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        channel text NOT NULL CHECK (channel IN ('whatsapp', 'messenger', 'instagram', 'telegram')),
        external_id text NOT NULL,
        display_name text,
        secrets_sealed text NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}',
        last_webhook_at timestamptz,
        last_error text,
        last_error_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (channel, external_id)
      )`);
    await runner.query('CREATE INDEX social_accounts_workspace ON social_accounts (workspace_id, channel)');
    await runner.query(`
      CREATE TABLE social_inbound_receipts (
        channel_account_id uuid NOT NULL,
        provider_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel_account_id, provider_id)
      )`);
    await runner.query(
      'CREATE INDEX social_inbound_receipts_received_at ON social_inbound_receipts (received_at)',
    );
    await runner.query(`
      CREATE TABLE social_customer_windows (
        workspace_id uuid NOT NULL,
        channel_account_id uuid NOT NULL,
        address text NOT NULL,
        last_inbound_at timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, channel_account_id, address)
      )`);
    await runner.query(`
      CREATE TABLE social_outbound_messages (
        workspace_id uuid NOT NULL,
        message_id uuid NOT NULL,
        channel_account_id uuid NOT NULL,
        channel text NOT NULL,
        recipient text NOT NULL,
        provider_message_id text,
        status text NOT NULL,
        status_rank smallint NOT NULL,
        error_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, message_id)
      )`);
    await runner.query(`
      CREATE UNIQUE INDEX social_outbound_provider_id
        ON social_outbound_messages (channel_account_id, provider_message_id)
        WHERE provider_message_id IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'social_outbound_messages',
      'social_customer_windows',
      'social_inbound_receipts',
      'social_accounts',
    ])
      await runner.query(`DROP TABLE ${table}`);
  }
}
