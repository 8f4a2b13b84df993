import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change that can end a session or change what it may do is notified on
 * `inbox_session_changes` at commit (ADR 0133), whoever makes it (a replica, the workspace CLI, an
 * operator's SQL): `s:<session id>` when a session is ended, expired or deleted, `u:<user id>` when
 * a user's role, name, email, operator flag or disabled state changes or the user is deleted, `*`
 * when either table is truncated. Each replica's session cache forgets what it names. The touch of
 * `last_seen_at` is not a change: it does not notify.
 */
export class NotifySessionChanges1765100000000 implements MigrationInterface {
  name = 'NotifySessionChanges1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION inbox.notify_session_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_LEVEL = 'STATEMENT' THEN
          PERFORM pg_notify('inbox_session_changes', '*');
        ELSIF TG_TABLE_NAME = 'sessions' THEN
          PERFORM pg_notify('inbox_session_changes', 's:' || OLD.id);
        ELSE
          PERFORM pg_notify('inbox_session_changes', 'u:' || OLD.id);
        END IF;
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER sessions_changed
      AFTER UPDATE OF id, token_hash, csrf_token, user_id, workspace_id, expires_at, ended_at OR DELETE
      ON inbox.sessions FOR EACH ROW EXECUTE FUNCTION inbox.notify_session_change()`);
    await runner.query(`
      CREATE TRIGGER users_changed
      AFTER UPDATE OF id, workspace_id, email, display_name, role, disabled_at, operator OR DELETE
      ON inbox.users FOR EACH ROW EXECUTE FUNCTION inbox.notify_session_change()`);
    for (const table of ['sessions', 'users']) {
      await runner.query(`
        CREATE TRIGGER ${table}_truncated AFTER TRUNCATE ON inbox.${table}
        FOR EACH STATEMENT EXECUTE FUNCTION inbox.notify_session_change()`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['sessions', 'users']) {
      await runner.query(`DROP TRIGGER ${table}_truncated ON inbox.${table}`);
      await runner.query(`DROP TRIGGER ${table}_changed ON inbox.${table}`);
    }
    await runner.query('DROP FUNCTION inbox.notify_session_change()');
  }
}
