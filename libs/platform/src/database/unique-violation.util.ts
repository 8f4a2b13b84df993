/** PostgreSQL's SQLSTATE for unique_violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * True when a write failed because a unique constraint already holds the value (SQLSTATE 23505),
 * whether node-postgres threw it or TypeORM wrapped it (`driverError`). With `constraint`, only
 * when that constraint is the one violated.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { driverError } = error as { driverError?: unknown };
  const driver = (driverError !== null && typeof driverError === 'object' ? driverError : error) as {
    code?: unknown;
    constraint?: unknown;
  };
  const code = driver.code ?? (error as { code?: unknown }).code;
  if (code !== UNIQUE_VIOLATION) return false;
  return constraint === undefined || driver.constraint === constraint;
}
