import type { DataSource } from 'typeorm';

interface PgClient {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
}

/**
 * Rows of a statement prepared once per pooled connection under `name` (constant text only: a
 * name stays bound to its first text for the connection's life). A statement every delivery batch
 * runs is then parsed once per connection and, after PostgreSQL's first five custom plans, may be
 * planned once too: so its generic plan must be good on a table without statistics (each such
 * statement's plan is checked under `plan_cache_mode = force_generic_plan` in the tests).
 */
export async function preparedRows<T>(
  db: DataSource,
  name: string,
  text: string,
  values: readonly unknown[],
): Promise<T[]> {
  const runner = db.createQueryRunner();
  try {
    const client = (await runner.connect()) as PgClient;
    return (await client.query<T>({ name, text, values: [...values] })).rows;
  } finally {
    await runner.release();
  }
}
