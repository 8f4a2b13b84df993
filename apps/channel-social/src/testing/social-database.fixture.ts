import { createMigratedTestDatabase, type MigratedTestDatabase } from '@switchboard/testing';
import { socialChannelMigrations } from '../migrations/index.js';

export type SocialTestDatabase = MigratedTestDatabase;

/** A database of its own with the social channels' tables migrated, for a service under test. */
export function createSocialTestDatabase(label: string): Promise<SocialTestDatabase> {
  return createMigratedTestDatabase(label, { schema: 'channels', migrations: socialChannelMigrations });
}
