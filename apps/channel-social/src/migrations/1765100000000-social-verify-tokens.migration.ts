import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each connected Meta account's own `hub.verify_token`, kept as its SHA-256 (the handshake only
 * needs to recognise it, as API keys are recognised): an admin subscribing one app's webhooks
 * need not know another's token, nor share META_VERIFY_TOKEN. And outbound messages by recipient
 * and time, for Messenger's read watermarks.
 */
export class SocialVerifyTokens1765100000000 implements MigrationInterface {
  name = 'SocialVerifyTokens1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE social_accounts ADD COLUMN verify_token_sha256 bytea');
    await runner.query(
      'CREATE INDEX social_accounts_verify_token ON social_accounts (verify_token_sha256) WHERE verify_token_sha256 IS NOT NULL',
    );
    // Messenger's read watermark names a person and a time, not messages.
    await runner.query(
      'CREATE INDEX social_outbound_by_recipient ON social_outbound_messages (channel_account_id, recipient, created_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX social_outbound_by_recipient');
    await runner.query('ALTER TABLE social_accounts DROP COLUMN verify_token_sha256');
  }
}
