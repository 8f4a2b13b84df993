import { DataSource, type MixedList } from 'typeorm';
import { type TestDatabase, createTestDatabase } from './test-database.util.js';

export interface MigratedTestDatabase {
  /** Connected as the app's data source is: the service's schema first on the search path. */
  readonly db: DataSource;
  close(): Promise<void>;
}

/**
 * A database of its own with one service's schema created and its migrations run, for a service
 * under test (the channels' fixtures: `schema` 'channels' and their migrations).
 */
export async function createMigratedTestDatabase(
  label: string,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
  options: { schema: string; migrations: MixedList<Function | string> },
): Promise<MigratedTestDatabase> {
  const database: TestDatabase = await createTestDatabase(label);
  const db = new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: options.migrations,
    extra: { options: `-c search_path=${options.schema},public` },
  });
  const close = async () => {
    if (db.isInitialized) await db.destroy();
    await database.drop();
  };
  try {
    await db.initialize();
    await db.query(`CREATE SCHEMA "${options.schema}"`);
    await db.runMigrations();
  } catch (error) {
    await close();
    throw error;
  }
  return { db, close };
}
