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

/**
 * Untraced records' headers (every publish of the hot path), one frozen object per event type and
 * version, shared by all its records: no `type@version` string and no object built per record, and
 * an adapter may encode it once (ADR 0153). Event types are a closed set; past the bound (something
 * unforeseen), each record gets an object of its own again.
 */
const untracedHeaders = new Map<string, Map<number, Readonly<Record<string, string>>>>();
const UNTRACED_HEADERS_LIMIT = 1_024;
let untracedHeadersCount = 0;

/** The headers of an event's record: its type, and the trace context it was created in (if any). */
export function recordHeadersOf(e: OutgoingEvent): Readonly<Record<string, string>> {
  const { type, version } = e.event;
  if (e.trace !== undefined) return { ...e.trace, [EVENT_TYPE_HEADER]: eventKey(type, version) };
  let byVersion = untracedHeaders.get(type);
  let headers = byVersion?.get(version);
  if (headers !== undefined) return headers;
  headers = Object.freeze({ [EVENT_TYPE_HEADER]: eventKey(type, version) });
  if (untracedHeadersCount < UNTRACED_HEADERS_LIMIT) {
    if (byVersion === undefined)
      untracedHeaders.set(type, (byVersion = new Map<number, Readonly<Record<string, string>>>()));
    byVersion.set(version, headers);
    untracedHeadersCount += 1;
  }
  return headers;
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
