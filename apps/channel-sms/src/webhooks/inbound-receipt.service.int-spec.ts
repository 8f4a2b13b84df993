import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { type SmsTestDatabase, createSmsTestDatabase } from '../testing/sms-database.fixture.js';
import { InboundReceiptService } from './inbound-receipt.service.js';
import type { ConfigOf } from '@switchboard/platform';
import type { SmsChannelConfig } from '../sms-channel.config.js';

/** MessageSid receipts on the real PostgreSQL: concurrent checks and records share round trips and stay exact. */
describe('InboundReceiptService', () => {
  let database: SmsTestDatabase | undefined;
  let db: DataSource;
  let receipts: InboundReceiptService;
  const workspaceId = randomUUID();
  const channelAccountId = randomUUID();

  beforeAll(async () => {
    database = await createSmsTestDatabase('sms_receipts');
    db = database.db;
    receipts = new InboundReceiptService(db, { SMS_RECEIPT_RETENTION_HOURS: 168 } as ConfigOf<
      typeof SmsChannelConfig
    >);
  });

  afterAll(async () => {
    await receipts?.onApplicationShutdown();
    await database?.close();
  });

  it('answers each of many concurrent lookups for itself, before and after its receipt', async () => {
    const sids = Array.from({ length: 300 }, (_, i) => `SM${String(i).padStart(32, '0')}`);
    const key = (messageSid: string) => ({ workspaceId, channelAccountId, messageSid });
    await Promise.all(sids.filter((_, i) => i % 3 === 0).map((sid) => receipts.record(key(sid))));
    const seen = await Promise.all(sids.map((sid) => receipts.wasReceived(key(sid))));
    expect(seen).toEqual(sids.map((_, i) => i % 3 === 0));
    // Another workspace's or account's receipt for the same SID is not ours.
    expect(await receipts.wasReceived({ ...key(sids[0]!), workspaceId: randomUUID() })).toBe(false);
    expect(await receipts.wasReceived({ ...key(sids[0]!), channelAccountId: randomUUID() })).toBe(false);
    // Recording twice is harmless.
    await receipts.record(key(sids[0]!));
    const count = await db.query<{ n: string }[]>('SELECT count(*) AS n FROM channels.sms_inbound_receipts');
    expect(Number(count[0]!.n)).toBe(100);
  });

  it('prunes receipts past the retention only', async () => {
    await db.query(
      `UPDATE channels.sms_inbound_receipts SET received_at = now() - interval '8 days'
       WHERE message_sid IN (SELECT message_sid FROM channels.sms_inbound_receipts ORDER BY message_sid LIMIT 10)`,
    );
    const week = 7 * 24 * 3_600_000;
    // A few at a time: a backlog goes in short statements, not one.
    expect(await receipts.prune(week, 4)).toBe(4);
    expect(await receipts.prune(week, 4)).toBe(4);
    expect(await receipts.prune(week, 4)).toBe(2);
    expect(await receipts.prune(week, 4)).toBe(0);
  });
});
