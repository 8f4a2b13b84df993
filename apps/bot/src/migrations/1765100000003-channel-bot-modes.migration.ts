import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which bot a switched-on channel has (ADR 0083): the built-in answer bot, or an integrator's
 * over gRPC. Routing holds the conversations for either; only the built-in one answers here.
 */
export class ChannelBotModes1765100000003 implements MigrationInterface {
  name = 'ChannelBotModes1765100000003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE bot.channel_bots ADD COLUMN mode text NOT NULL DEFAULT 'built-in'
         CHECK (mode IN ('built-in', 'external'))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE bot.channel_bots DROP COLUMN mode');
  }
}
