import { InvalidArgumentError } from '@switchboard/contracts';

/**
 * Keyset page tokens: the sort values of the last item, base64url JSON. Opaque to clients; a
 * token that does not decode to the expected shape is the client's error, not ours.
 */
export function encodePageToken(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodePageToken(token: string | undefined, arity: number): (string | number)[] | null {
  if (token === undefined || token === '') return null;
  try {
    const values: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => typeof v === 'string' || typeof v === 'number')
    )
      return values;
  } catch {
    // fall through
  }
  throw new InvalidArgumentError('invalid page token', [
    { field: 'pageToken', description: 'not a token returned by a previous page' },
  ]);
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
