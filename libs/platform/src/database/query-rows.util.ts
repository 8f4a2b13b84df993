import type { DataSource, EntityManager } from 'typeorm';

/**
 * The rows of a statement's result. TypeORM's PostgreSQL driver answers an UPDATE or DELETE with
 * `[rows, affectedCount]` but a SELECT or INSERT with the rows alone; this takes either, so a
 * `… RETURNING` statement reads the same whatever its verb.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}

/** Runs a statement and answers its rows (`returnedRows`), whatever its verb. */
export async function queryRows<T>(
  db: DataSource | EntityManager,
  sql: string,
  parameters: readonly unknown[],
): Promise<T[]> {
  return returnedRows<T>(await db.query(sql, [...parameters]));
}

/**
 * Rows of a statement prepared once per connection under `name` (constant text only: a name is
 * bound to its text for the connection's life). A statement that many calls run is then parsed
 * once per connection and, after PostgreSQL's first few custom plans, may be planned once too —
 * so its generic plan must be good on a table without statistics (each such statement's plan is
 * checked under `plan_cache_mode = force_generic_plan` in its app's tests). In a transaction on
 * its connection; on the pool, on a connection of the pool's.
 */
export async function preparedRows<T>(
  db: DataSource | EntityManager,
  name: string,
  sql: string,
  parameters: readonly unknown[] = [],
): Promise<T[]> {
  type Client = {
    query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
  };
  const inTransaction = 'queryRunner' in db ? db.queryRunner : undefined;
  if (inTransaction !== undefined) {
    const client = (await inTransaction.connect()) as Client;
    return (await client.query({ name, text: sql, values: [...parameters] })).rows;
  }
  if (!('createQueryRunner' in db)) return queryRows<T>(db, sql, parameters);
  const runner = db.createQueryRunner();
  try {
    const client = (await runner.connect()) as Client;
    return (await client.query({ name, text: sql, values: [...parameters] })).rows;
  } finally {
    await runner.release();
  }
}
