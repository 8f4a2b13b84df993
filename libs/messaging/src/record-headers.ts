import { eventKey } from '@switchboard/contracts';
import type { RawRecord } from './dead-letter.js';
import type { OutgoingEvent } from './event-bus.js';

/**
 * The header naming the event a Kafka record carries, as `type@version` (ADR 0121). A consumer
 * group reading a topic of many event types skips the records of types it does not accept without
 * parsing them, and validates the ones it accepts in one pass against the definition it names.
 * Records without it (written before it, or by another writer) are decoded in full, as before.
 */
export const EVENT_TYPE_HEADER = 'event-type';

/** The headers of an event's record: its type, and the trace context it was created in (if any). */
export function recordHeadersOf(e: OutgoingEvent): Record<string, string> {
  const named = eventKey(e.event.type, e.event.version);
  // Tracing off (every publish of the hot path): one small object of one shape, no spread.
  return e.trace === undefined ? { [EVENT_TYPE_HEADER]: named } : { ...e.trace, [EVENT_TYPE_HEADER]: named };
}

/** One header of a record, as text. */
export function headerOf(record: RawRecord, name: string): string | undefined {
  return headerText(record.headers?.[name]);
}

/** A header's text, whichever way its adapter hands it over (a string, a buffer, or a list of them). */
export function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return headerText(value[0]);
  return undefined;
}
