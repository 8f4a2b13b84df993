/** A connection to ask on: node-postgres's client (`{ rows }`) or TypeORM's query runner (rows). */
interface PlanClient {
  query(sql: string): Promise<unknown>;
}

/** Statements prepared so far, each under a name of its own. */
let prepared = 0;

/**
 * The plan PostgreSQL keeps for `sql` once its prepared statement goes generic — forced with
 * `plan_cache_mode = force_generic_plan`, as a statement prepared on a new installation's tables,
 * without statistics, would keep it — as EXPLAIN prints it. `values` are SQL literals for its
 * parameters; `types` their types, or undefined for PostgreSQL to infer them. Runs in the caller's
 * open transaction on `client` (which rolls it back), under a name of its own that it deallocates
 * (a prepared statement outlives its transaction; the connection's other statements stay), so a
 * caller may ask again after changing the tables.
 */
export async function genericPlanIn(
  client: PlanClient,
  sql: string,
  values: readonly string[],
  types?: readonly string[],
): Promise<string> {
  const name = `generic_plan_${++prepared}`;
  await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
  await client.query(`PREPARE ${name}${types === undefined ? '' : ` (${types.join(', ')})`} AS ${sql}`);
  const result = await client.query(
    `EXPLAIN EXECUTE ${name}${values.length > 0 ? ` (${values.join(', ')})` : ''}`,
  );
  await client.query(`DEALLOCATE ${name}`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    'QUERY PLAN': string;
  }[];
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}
