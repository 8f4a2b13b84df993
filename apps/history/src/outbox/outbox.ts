import type { EventEnvelope } from '@switchboard/contracts';
import type { TraceCarrier } from '@switchboard/platform';
import type { Db } from '../database/sql.util.js';

/** An event written in the same transaction as the change it reports; the relay publishes it. */
export interface OutboxEntry {
  readonly topic: string;
  readonly key: string;
  readonly event: EventEnvelope;
  /** The trace the event was created in (`routed()` sets it, tracing on): the relay's publish carries it. */
  readonly trace?: TraceCarrier;
}

/**
 * Appends events to `history.outbox` inside the caller's transaction (ADR 0010): they become
 * visible to the relay exactly when the change commits, and vanish with it when it rolls back.
 * One row per call, holding the events in order: a batch of 500 messages costs one row, not 500.
 */
export async function appendToOutbox(tx: Db, entries: readonly OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query('INSERT INTO history.outbox (entries) VALUES ($1::json)', [outboxJson(entries)]);
}

/** The `entries` value of an outbox row, for a statement that inserts it along with other writes. */
export function outboxJson(entries: readonly OutboxEntry[]): string {
  return JSON.stringify(entries);
}
