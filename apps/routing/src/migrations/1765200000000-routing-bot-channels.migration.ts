import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The channels the answer bot serves, as the workspace's owner applied them from
 * `BotChannelSwitchedV1` (ADR 0080): restored with the rest of the workspace's state, so a
 * conversation opened after a restart is held for the bot as before.
 */
export class RoutingBotChannels1765200000000 implements MigrationInterface {
  name = 'RoutingBotChannels1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE routing.bot_channels (
        workspace_id uuid NOT NULL,
        channel text NOT NULL,
        PRIMARY KEY (workspace_id, channel)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE routing.bot_channels');
  }
}
