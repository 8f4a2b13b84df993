import { eventKey } from '@switchboard/contracts';
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
  return { ...e.trace, [EVENT_TYPE_HEADER]: eventKey(e.event.type, e.event.version) };
}

/** A header's text, whichever way its adapter hands it over (a string, a buffer, or a list of them). */
export function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return headerText(value[0]);
  return undefined;
}
