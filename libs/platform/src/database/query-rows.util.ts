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
