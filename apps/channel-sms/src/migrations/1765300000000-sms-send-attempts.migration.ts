import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a reply was first handed to Twilio (ADR 0093): set before the call, so a redelivery that
 * finds an attempt and no SID looks the message up at Twilio before sending it again. Twilio's
 * SIDs are indexed so that a message found there is matched to no other reply of ours.
 */
export class SmsSendAttempts1765300000000 implements MigrationInterface {
  name = 'SmsSendAttempts1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE sms_outbound_messages ADD COLUMN send_attempted_at timestamptz');
    await runner.query(`
      CREATE INDEX sms_outbound_messages_provider_id ON sms_outbound_messages (workspace_id, provider_message_id)
      WHERE provider_message_id IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX sms_outbound_messages_provider_id');
    await runner.query('ALTER TABLE sms_outbound_messages DROP COLUMN send_attempted_at');
  }
}
