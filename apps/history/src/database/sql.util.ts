import { queryRows } from '@switchboard/platform';
import type { DataSource, EntityManager } from 'typeorm';

/** The timestamptz of a parameter holding microseconds since the epoch (as text: exact). */
export function atMicros(parameter: string): string {
  return `('epoch'::timestamptz + ${parameter}::bigint * interval '1 microsecond')`;
}

/** Microseconds since the epoch of a timestamptz, exact, as text (a JS Date keeps milliseconds). */
export function microsOf(timestamp: string): string {
  return `(extract(epoch FROM ${timestamp}) * 1000000)::bigint::text`;
}

/**
 * The time a conversation's next message takes: the clock's (`parameter`, microseconds), or a
 * microsecond after its last message when that is later — read once its row is locked, so its
 * messages are timed in their sequence order whatever the clocks of the replicas (ADR 0120).
 */
export function nextMessageAt(parameter: string, lastMessageAt: string): string {
  return `greatest(${atMicros(parameter)}, ${lastMessageAt} + interval '1 microsecond')`;
}

/** The clock's time in microseconds since the epoch, as history passes it to its statements. */
export function clockMicros(clock: { now(): number }): string {
  return (BigInt(clock.now()) * 1000n).toString();
}

/** A pool or a transaction: history's queries run on either. */
export type Db = DataSource | EntityManager;

/** Rows of a raw query, whatever its verb (`queryRows`). */
export function rows<T>(db: Db, sql: string, params: readonly unknown[] = []): Promise<T[]> {
  return queryRows<T>(db, sql, params);
}

export async function firstRow<T>(
  db: Db,
  sql: string,
  params: readonly unknown[] = [],
): Promise<T | undefined> {
  return (await rows<T>(db, sql, params))[0];
}

/** ISO-8601 of a timestamptz column, or null. */
export function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function isoRequired(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
