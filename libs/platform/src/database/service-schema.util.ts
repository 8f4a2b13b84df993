import { createHash } from 'node:crypto';
import { MigrationExecutor, type DataSource } from 'typeorm';
import type { Logger } from '../logging/logger.util.js';

/**
 * Creates the service's schema if absent and runs its pending migrations, in their own
 * transactions, recorded in `<schema>.migrations`. Replicas starting together take turns on a
 * per-schema advisory lock, so each migration runs exactly once; the lock lives on the
 * connection, so a replica that dies mid-way releases it. The migrations run with the schema first
 * on the search path, whatever the data source's connections were opened with.
 */
export async function prepareServiceSchema(
  dataSource: DataSource,
  schema: string,
  logger: Logger,
): Promise<string[]> {
  const runner = dataSource.createQueryRunner('master');
  await runner.connect();
  const lockKey = advisoryLockKey(schema);
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      // Migrations create unqualified names, which must land in the service's schema. The pool's
      // connections ask for it at start-up (search_path), but a connection may have opened before
      // the schema existed, and one shared CI run once saw a migration land in public: name the
      // schema on this connection now that it exists, whatever the connection had resolved.
      await runner.query(`SET search_path TO "${schema}", public`);
      // The executor on our runner (not dataSource.runMigrations) keeps the migrations on the
      // locked connection, and works with a pool of one.
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const executed = await executor.executePendingMigrations();
      const names = executed.map((migration) => migration.name);
      if (names.length > 0) logger.info({ migrations: names }, `ran ${names.length} migration(s)`);
      return names;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).catch((error: unknown) => {
        // The connection is gone, and the lock with it: nothing to undo.
        logger.debug({ err: error }, 'could not release the migration lock');
      });
    }
  } finally {
    await runner.release();
  }
}

function advisoryLockKey(schema: string): string {
  return createHash('sha256')
    .update(`switchboard:migrations:${schema}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
}
