import { randomBytes, randomUUID } from 'node:crypto';
import { AlreadyExistsError, InvalidArgumentError } from '@switchboard/contracts';
import { SecretBox, generateEncryptionKey } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { type SmsTestDatabase, createSmsTestDatabase } from '../testing/sms-database.fixture.js';
import { SmsAccountService } from './sms-account.service.js';
import { SmsChannelApiService } from './sms-channel-api.service.js';

/** The admin screen's SMS numbers over the real accounts service and PostgreSQL. */
describe('SmsChannelApiService', () => {
  let database: SmsTestDatabase | undefined;
  let db: DataSource;
  const key = generateEncryptionKey();
  const accounts = () => new SmsAccountService(db, new SecretBox(key));
  const api = () => new SmsChannelApiService(accounts());
  const sid = (prefix: 'AC' | 'MG') => `${prefix}${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    database = await createSmsTestDatabase('sms_channel_api');
    db = database.db;
  });

  afterAll(async () => {
    await database?.close();
  });

  it('creates a number, and an update without a token keeps the sealed one', async () => {
    const workspace = randomUUID();
    const accountSid = sid('AC');
    const created = await api().upsertSmsNumber(workspace, {
      phoneNumber: '+14155550111',
      accountSid,
      authToken: 'first-token-123456',
      messagingServiceSid: null,
      helpText: null,
    });
    expect(created).toMatchObject({
      workspaceId: workspace,
      phoneNumber: '+14155550111',
      authTokenSet: true,
    });

    const updated = await api().upsertSmsNumber(workspace, {
      phoneNumber: '+14155550111',
      accountSid,
      messagingServiceSid: null,
      helpText: 'Reply STOP to opt out.',
    });
    expect(updated.id).toBe(created.id);
    expect(updated.helpText).toBe('Reply STOP to opt out.');
    expect((await accounts().findById(workspace, created.id))?.authToken).toBe('first-token-123456');

    await api().upsertSmsNumber(workspace, {
      phoneNumber: '+14155550111',
      accountSid,
      authToken: 'rotated-token-123456',
      messagingServiceSid: null,
      helpText: null,
    });
    expect((await accounts().findById(workspace, created.id))?.authToken).toBe('rotated-token-123456');
    expect(await api().listSmsNumbers(workspace)).toHaveLength(1);
  });

  it('refuses a new number without its token', async () => {
    await expect(
      api().upsertSmsNumber(randomUUID(), {
        phoneNumber: '+14155550112',
        accountSid: sid('AC'),
        messagingServiceSid: null,
        helpText: null,
      }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("refuses a number another workspace holds, and leaves that workspace's account as it was", async () => {
    const owner = randomUUID();
    const ownerSid = sid('AC');
    const held = await api().upsertSmsNumber(owner, {
      phoneNumber: '+14155550113',
      accountSid: ownerSid,
      authToken: 'owner-token-123456',
      messagingServiceSid: null,
      helpText: null,
    });
    const intruder = randomUUID();
    await expect(
      api().upsertSmsNumber(intruder, {
        phoneNumber: '+14155550113',
        accountSid: sid('AC'),
        authToken: 'intruder-token-1234',
        messagingServiceSid: null,
        helpText: null,
      }),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    const kept = await accounts().findById(owner, held.id);
    expect(kept).toMatchObject({ accountSid: ownerSid, authToken: 'owner-token-123456' });
    expect(await api().listSmsNumbers(intruder)).toEqual([]);
  });

  it('refuses a messaging service another number already uses (23505)', async () => {
    const messagingServiceSid = sid('MG');
    await api().upsertSmsNumber(randomUUID(), {
      phoneNumber: '+14155550114',
      accountSid: sid('AC'),
      authToken: 'service-token-12345',
      messagingServiceSid,
      helpText: null,
    });
    const other = randomUUID();
    await expect(
      api().upsertSmsNumber(other, {
        phoneNumber: '+14155550115',
        accountSid: sid('AC'),
        authToken: 'other-token-1234567',
        messagingServiceSid,
        helpText: null,
      }),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await api().listSmsNumbers(other)).toEqual([]);
  });
});
