import type { DataSource, EntityManager } from 'typeorm';

/**
 * The rows a statement returned. TypeORM's PostgreSQL driver answers an UPDATE or DELETE with
 * `[rows, affectedCount]` but a SELECT or INSERT with the rows alone; this takes either.
 */
export async function queryRows<T>(
  db: DataSource | EntityManager,
  sql: string,
  parameters: readonly unknown[],
): Promise<T[]> {
  const result: unknown = await db.query(sql, [...parameters]);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}
