import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every snooze made, moved or deleted is notified on `inbox_snooze_changes` at commit (ADR 0142),
 * whoever writes it: `+<conversation id>` for one made or moved, `-<conversation id>` for one
 * deleted (woken, unsnoozed). Each replica's live feed keeps the snoozed conversations from these,
 * and wakes, before their frames, only the messages of conversations that may be snoozed.
 */
export class NotifySnoozeChanges1765200000000 implements MigrationInterface {
  name = 'NotifySnoozeChanges1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION inbox.notify_snooze_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('inbox_snooze_changes', '-' || OLD.conversation_id);
        ELSE
          PERFORM pg_notify('inbox_snooze_changes', '+' || NEW.conversation_id);
        END IF;
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER snoozes_changed AFTER INSERT OR UPDATE OR DELETE ON inbox.snoozes
      FOR EACH ROW EXECUTE FUNCTION inbox.notify_snooze_change()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TRIGGER snoozes_changed ON inbox.snoozes');
    await runner.query('DROP FUNCTION inbox.notify_snooze_change()');
  }
}
