import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SMS channel's state in the `channels` schema: channel accounts (credentials sealed), receipts
 * of inbound MessageSids (Twilio retries), opt-outs per workspace and number, outbound messages
 * (what was sent, and how far its delivery got), and MMS media fetched from Twilio.
 */
export class CreateSmsChannel1764100000000 implements MigrationInterface {
  name = 'CreateSmsChannel1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    // A number or messaging service belongs to one account, hence to one workspace: the inbound
    // `To` is how the workspace is found, so these are unique across workspaces.
    await runner.query(`
      CREATE TABLE sms_accounts (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL,
        phone_number text UNIQUE,
        messaging_service_sid text UNIQUE,
        account_sid text NOT NULL,
        auth_token_sealed text NOT NULL,
        help_text text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (phone_number IS NOT NULL OR messaging_service_sid IS NOT NULL)
      )`);
    await runner.query('CREATE INDEX sms_accounts_workspace ON sms_accounts (workspace_id)');
    await runner.query(`
      CREATE TABLE sms_inbound_receipts (
        workspace_id uuid NOT NULL,
        channel_account_id uuid NOT NULL,
        message_sid text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, channel_account_id, message_sid)
      )`);
    await runner.query('CREATE INDEX sms_inbound_receipts_received_at ON sms_inbound_receipts (received_at)');
    await runner.query(`
      CREATE TABLE sms_opt_outs (
        workspace_id uuid NOT NULL,
        phone_number text NOT NULL,
        opted_out boolean NOT NULL,
        keyword text NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (workspace_id, phone_number)
      )`);
    await runner.query(`
      CREATE TABLE sms_outbound_messages (
        workspace_id uuid NOT NULL,
        message_id uuid NOT NULL,
        channel_account_id uuid NOT NULL,
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
      CREATE TABLE sms_media (
        storage_key text PRIMARY KEY,
        workspace_id uuid NOT NULL,
        content_type text NOT NULL,
        size_bytes integer NOT NULL,
        body bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'sms_media',
      'sms_outbound_messages',
      'sms_opt_outs',
      'sms_inbound_receipts',
      'sms_accounts',
    ])
      await runner.query(`DROP TABLE ${table}`);
  }
}
