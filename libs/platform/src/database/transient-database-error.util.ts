// SQLSTATEs that mean "not now" (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '55P03', // lock_not_available (lock_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
]);

// Class 08: connection_exception and its subclasses.
const CONNECTION_EXCEPTION_CLASS = '08';

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // A database host that doesn't resolve yet (a Kubernetes service still coming up).
  'ENOTFOUND',
]);

// node-postgres reports a lost or unavailable connection without a code.
const TRANSIENT_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/**
 * True when retrying the same work later may succeed: the database is unreachable, restarting,
 * overloaded, or chose this transaction as a serialization or deadlock victim. False for
 * errors that would fail again (constraint violations, bad SQL, missing tables): those
 * belong in a dead-letter topic, not in a retry loop that blocks a partition.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  return visit(error, new Set());
}

function visit(error: unknown, seen: Set<unknown>): boolean {
  if (error === null || typeof error !== 'object' || seen.has(error)) return false;
  seen.add(error);
  const { code, message, driverError, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return code.startsWith(CONNECTION_EXCEPTION_CLASS);
  }
  if (typeof message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // TypeORM wraps the driver's error; Node wraps per-address connect failures in an AggregateError.
  if (visit(driverError, seen) || visit(cause, seen)) return true;
  return Array.isArray(errors) && errors.some((inner) => visit(inner, seen));
}
