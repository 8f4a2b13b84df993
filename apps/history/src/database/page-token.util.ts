import { InvalidArgumentError } from '@switchboard/contracts';

/**
 * What each position of a token holds, as the query casts it: `timestamp` a timestamptz as
 * PostgreSQL prints it (or `infinity`), `uuid` an id, `real` a float4 such as ts_rank.
 */
export type PageTokenField = 'timestamp' | 'uuid' | 'real';

/**
 * Keyset page tokens: the sort values of the last item, base64url JSON. Opaque to clients; a
 * token that does not decode to the expected shape is the client's error, not ours.
 */
export function encodePageToken(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/**
 * The position a token names, each value checked against what the query will cast it to: a
 * token we never issued must be INVALID_ARGUMENT here, not a cast error in PostgreSQL (a 500
 * whose log carried the SQL and its parameters).
 */
export function decodePageToken(
  token: string | undefined,
  fields: readonly PageTokenField[],
): (string | number)[] | null {
  if (token === undefined || token === '') return null;
  let values: unknown;
  try {
    values = BASE64URL.test(token) ? JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) : null;
  } catch {
    values = null;
  }
  if (
    Array.isArray(values) &&
    values.length === fields.length &&
    fields.every((field, i) => FIELD_CHECKS[field](values[i]))
  )
    return values as (string | number)[];
  throw new InvalidArgumentError('invalid page token', [
    { field: 'pageToken', description: 'not a token returned by a previous page' },
  ]);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// timestamptz::text in PostgreSQL's ISO DateStyle: `2026-12-05 12:43:18.941632+00`.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::[0-5]\d){0,2}$/;
// float4's range as PostgreSQL prints it (the least subnormal prints as 1e-45): a value outside
// it, or too close to zero, is a cast error, not a position.
const REAL_MIN = 1e-45;
const REAL_MAX = 3.4028235e38;

const FIELD_CHECKS: Record<PageTokenField, (value: unknown) => boolean> = {
  uuid: (value) => typeof value === 'string' && UUID.test(value),
  real: (value) =>
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (value === 0 || (Math.abs(value) >= REAL_MIN && Math.abs(value) <= REAL_MAX)),
  timestamp: (value) => typeof value === 'string' && (value === 'infinity' || isTimestamp(value)),
};

function isTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offset] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1 || hour > 23 || minute > 59 || second > 59 || offset > 15) return false;
  // Date.UTC rolls 31 February over into March: a date that does not round-trip does not exist.
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The page size asked for, within [1, max]; absent means the default. */
export function pageSize(requested: number | undefined, fallback: number, max: number): number {
  if (requested === undefined) return fallback;
  if (!Number.isInteger(requested) || requested < 1)
    throw new InvalidArgumentError('invalid page size', [
      { field: 'pageSize', description: 'must be a positive integer' },
    ]);
  return Math.min(requested, max);
}
