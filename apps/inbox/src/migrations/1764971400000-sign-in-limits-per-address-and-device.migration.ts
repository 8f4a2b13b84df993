import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in limits that give nobody a lock-out button (ADR 0056): failures remember the browser's
 * trust cookie when it had one, and browsers that signed in to an account are remembered (as the
 * SHA-256 of their cookie) so they keep signing in while that account is under attack.
 */
export class SignInLimitsPerAddressAndDevice1764971400000 implements MigrationInterface {
  name = 'SignInLimitsPerAddressAndDevice1764971400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE inbox.login_failures ADD COLUMN device_hash bytea');
    await runner.query(
      'CREATE INDEX login_failures_device ON inbox.login_failures (device_hash, at) WHERE device_hash IS NOT NULL',
    );
    await runner.query(`
      CREATE TABLE inbox.trusted_devices (
        token_hash bytea NOT NULL,
        account_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (token_hash, account_key)
      )`);
    await runner.query('CREATE INDEX trusted_devices_last_used ON inbox.trusted_devices (last_used_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE inbox.trusted_devices');
    await runner.query('DROP INDEX inbox.login_failures_device');
    await runner.query('ALTER TABLE inbox.login_failures DROP COLUMN device_hash');
  }
}
