import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox, generateEncryptionKey } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { type SmsTestDatabase, createSmsTestDatabase } from '../testing/sms-database.fixture.js';
import { SmsAccountService } from './sms-account.service.js';

/** Channel accounts on the real PostgreSQL: sealed tokens, upserts racing, lookups by number or service. */
describe('SmsAccountService', () => {
  let database: SmsTestDatabase | undefined;
  let db: DataSource;
  const key = generateEncryptionKey();
  const service = () => new SmsAccountService(db, new SecretBox(key));
  const workspace = randomUUID();
  const accountSid = `AC${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    database = await createSmsTestDatabase('sms_accounts');
    db = database.db;
  });

  afterAll(async () => {
    await database?.close();
  });

  it('creates one account when replicas start together, and later starts update its credentials', async () => {
    const input = {
      workspaceId: workspace,
      phoneNumber: '+14155550100',
      messagingServiceSid: null,
      accountSid,
    };
    const created = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        service().upsertByPhoneNumber({ ...input, authToken: `token-${i}-xxxxxx` }),
      ),
    );
    expect(new Set(created.map((a) => a.id)).size).toBe(1);
    const rows = await db.query<{ auth_token_sealed: string }[]>(
      'SELECT auth_token_sealed FROM channels.sms_accounts',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.auth_token_sealed).not.toMatch(/token-/);

    const updated = await service().upsertByPhoneNumber({ ...input, authToken: 'rotated-token-123' });
    expect(updated.id).toBe(created[0]!.id);
    expect((await service().findByRecipient('+14155550100', null))?.authToken).toBe('rotated-token-123');
    expect((await service().findById(workspace, updated.id))?.authToken).toBe('rotated-token-123');
    expect(await service().findById(randomUUID(), updated.id)).toBeNull();
    expect(await service().findById(workspace, 'not-a-uuid')).toBeNull();
  });

  it('finds an account by its messaging service when the number is not one of ours', async () => {
    const id = randomUUID();
    const box = new SecretBox(key);
    await db.query(
      `INSERT INTO channels.sms_accounts (id, workspace_id, messaging_service_sid, account_sid, auth_token_sealed)
       VALUES ($1, $2, $3, $4, $5)`,
      [id, workspace, 'MG0123', accountSid, box.seal('service-token', id)],
    );
    expect((await service().findByRecipient('+14155559999', 'MG0123'))?.id).toBe(id);
    expect(await service().findByRecipient('+14155559999', null)).toBeNull();
  });

  it('refuses a number that belongs to another workspace, and a token sealed for another row', async () => {
    await expect(
      service().upsertByPhoneNumber({
        workspaceId: randomUUID(),
        phoneNumber: '+14155550100',
        messagingServiceSid: null,
        accountSid,
        authToken: 'someone-elses',
      }),
    ).rejects.toThrow(/another workspace/);
    // A sealed token copied onto another row (say, by someone with write access to the table) fails to open.
    await db.query(
      `UPDATE channels.sms_accounts SET auth_token_sealed =
         (SELECT auth_token_sealed FROM channels.sms_accounts WHERE messaging_service_sid = 'MG0123')
       WHERE phone_number = '+14155550100'`,
    );
    await expect(service().findByRecipient('+14155550100', null)).rejects.toThrow();
  });
});
