import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox, generateEncryptionKey } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { SmsAccountService } from './sms-account.service.js';

/** A database whose every query the test answers by hand, in the order it chooses. */
function manualDatabase() {
  const queries: { sql: string; answer: (rows: unknown[]) => void }[] = [];
  const db = {
    query: (sql: string) => new Promise<unknown[]>((answer) => queries.push({ sql, answer })),
  } as unknown as DataSource;
  return { db, queries };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('SmsAccountService lookups', () => {
  const box = new SecretBox(generateEncryptionKey());
  const id = randomUUID();
  const row = {
    id,
    workspace_id: randomUUID(),
    phone_number: '+14155550100',
    messaging_service_sid: null,
    account_sid: `AC${randomBytes(16).toString('hex')}`,
    auth_token_sealed: box.seal('token-one', id),
    help_text: null,
  };

  it('asks once for every webhook that misses while the lookup is in flight, then answers from memory', async () => {
    const { db, queries } = manualDatabase();
    const accounts = new SmsAccountService(db, box);
    const together = Array.from({ length: 50 }, () => accounts.findByRecipient('+14155550100', null));
    await turn();
    expect(queries).toHaveLength(1);
    queries[0]!.answer([row]);
    const found = await Promise.all(together);
    expect(new Set(found.map((a) => a?.authToken))).toEqual(new Set(['token-one']));
    expect((await accounts.findByRecipient('+14155550100', null))?.id).toBe(id);
    expect(queries).toHaveLength(1);
  });

  it('keeps a lookup begun before a change out of the cache: the next webhook reads the account again', async () => {
    const { db, queries } = manualDatabase();
    const accounts = new SmsAccountService(db, box);
    const before = accounts.findByRecipient('+14155550100', null);
    await turn();
    const removal = accounts.remove(row.workspace_id, id);
    await turn();
    expect(queries.map((q) => q.sql.trim().split(/\s+/)[0])).toEqual(['SELECT', 'DELETE']);
    queries[1]!.answer([{ id }]);
    expect(await removal).toBe(true);
    // The read began before the delete and answers with the account as it was.
    queries[0]!.answer([row]);
    expect((await before)?.id).toBe(id);

    const after = accounts.findByRecipient('+14155550100', null);
    await turn();
    expect(queries).toHaveLength(3);
    queries[2]!.answer([]);
    expect(await after).toBeNull();
  });

  it('does not keep a failed lookup: the next webhook asks again', async () => {
    const queries: string[] = [];
    let fail = true;
    const db = {
      query: (sql: string) => {
        queries.push(sql);
        return fail ? Promise.reject(new Error('connection terminated')) : Promise.resolve([row]);
      },
    } as unknown as DataSource;
    const accounts = new SmsAccountService(db, box);
    await expect(accounts.findByRecipient('+14155550100', null)).rejects.toThrow('connection terminated');
    fail = false;
    expect((await accounts.findByRecipient('+14155550100', null))?.id).toBe(id);
    expect(queries).toHaveLength(2);
  });
});
