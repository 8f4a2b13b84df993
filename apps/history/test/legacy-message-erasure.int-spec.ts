import { randomUUID } from 'node:crypto';
import type { MessageSender } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CreateMessages1764000000000 } from '../src/migrations/1764000000000-create-messages.migration.js';
import { type HistoryTestApp, startHistoryTestApp } from './history-test-app.js';

const agent: MessageSender = { type: 'agent', id: 'agent-1', name: 'Ada' };
const workspaceId = randomUUID();
const number = '+14155550177';

/** Brings the database to the first, inbound-only schema and stores messages there, as it was. */
async function seedInboundOnlySchema(databaseUrl: string): Promise<void> {
  const db = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    schema: 'history',
    migrations: [CreateMessages1764000000000],
    migrationsTableName: 'migrations',
    extra: { options: '-c search_path=history,public' },
  });
  await db.initialize();
  try {
    await db.query('CREATE SCHEMA history');
    await db.runMigrations();
    for (const [i, text] of ['my card is on file', 'call me back'].entries()) {
      await db.query(
        `INSERT INTO history.messages (id, workspace_id, event_id, direction, channel, channel_account_id,
           provider_message_id, sender_kind, sender_address, text, received_at)
         VALUES ($1, $2, $3, 'in', 'sms', 'AC1', $4, 'phone', $5, $6, now())`,
        [randomUUID(), workspaceId, randomUUID(), `SM${i}`, number, text],
      );
    }
  } finally {
    await db.destroy();
  }
}

/**
 * Messages stored before history became the system of record: the migration gives them a
 * customer, and erasing that customer leaves the sender's number nowhere in their rows, even in
 * rows an earlier version of the migration wrote the number into as the sender's id.
 */
describe('erasure of messages from before the system of record', () => {
  let app: HistoryTestApp;

  beforeAll(async () => {
    app = await startHistoryTestApp('history_legacy_erase', { beforeStart: seedInboundOnlySchema });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  const messageRows = async () =>
    (
      await app.db.query<{ customer_id: string; sender: MessageSender; row: string }>(
        'SELECT customer_id, sender, to_jsonb(m)::text AS row FROM history.messages m WHERE workspace_id = $1',
        [workspaceId],
      )
    ).rows;
  const digits = number.slice(2);

  it('backfills the customer id, not the address, as the sender id', async () => {
    const migrated = await messageRows();
    expect(migrated).toHaveLength(2);
    for (const m of migrated) expect(m.sender).toEqual({ type: 'customer', id: m.customer_id });
    // The list of workspaces the backfill filled was never read, and is dropped by a later migration.
    const { rows } = await app.db.query<{ t: string | null }>(
      "SELECT to_regclass('history.workspaces')::text AS t",
    );
    expect(rows).toEqual([{ t: null }]);
  });

  it('erases the number from every column of the rows, even from a sender id that holds it', async () => {
    const [first] = await messageRows();
    const customerId = first!.customer_id;
    // What the earlier migration wrote, with a display name for good measure.
    await app.db.query(
      `UPDATE history.messages SET sender = jsonb_build_object('type', 'customer', 'id', sender_address, 'name', 'Al')
       WHERE workspace_id = $1`,
      [workspaceId],
    );
    expect((await messageRows()).every((m) => m.row.includes(digits))).toBe(true);

    const erasure = await app.api.eraseCustomer(workspaceId, customerId, agent);

    expect(erasure).toMatchObject({ customerId, messagesErased: 2, identitiesErased: 1 });
    const erased = await messageRows();
    expect(erased).toHaveLength(2);
    for (const m of erased) {
      expect(m.row).not.toContain(digits);
      expect(m.sender).toEqual({ type: 'customer', id: customerId });
    }
    const { rows } = await app.db.query<{ row: string }>(
      `SELECT to_jsonb(t)::text AS row FROM (
         SELECT * FROM history.identities WHERE workspace_id = $1) t`,
      [workspaceId],
    );
    expect(rows).toEqual([]);
  });
});
