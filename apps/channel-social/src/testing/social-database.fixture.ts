import { type TestDatabase, createTestDatabase } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { socialChannelMigrations } from '../migrations/index.js';

export interface SocialTestDatabase {
  /** Connected as the app's data source is: `channels` first on the search path. */
  readonly db: DataSource;
  close(): Promise<void>;
}

/** A database of its own with the social channels' tables migrated, for a service under test. */
export async function createSocialTestDatabase(label: string): Promise<SocialTestDatabase> {
  const database: TestDatabase = await createTestDatabase(label);
  const db = new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: socialChannelMigrations,
    extra: { options: '-c search_path=channels,public' },
  });
  const close = async () => {
    if (db.isInitialized) await db.destroy();
    await database.drop();
  };
  try {
    await db.initialize();
    await db.query('CREATE SCHEMA channels');
    await db.runMigrations();
  } catch (error) {
    await close();
    throw error;
  }
  return { db, close };
}
