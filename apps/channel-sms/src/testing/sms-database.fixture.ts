import { createMigratedTestDatabase, type MigratedTestDatabase } from '@switchboard/testing';
import { smsChannelMigrations } from '../migrations/index.js';

export type SmsTestDatabase = MigratedTestDatabase;

/** A database of its own with the SMS channel's schema migrated, for a service under test. */
export function createSmsTestDatabase(label: string): Promise<SmsTestDatabase> {
  return createMigratedTestDatabase(label, { schema: 'channels', migrations: smsChannelMigrations });
}
