import { type TraceCarrier, SpanKind, inSpanContinuing } from '@switchboard/platform';
import type { RawRecord } from './dead-letter.js';
import type { OutgoingEvent } from './event-bus.js';
import { headerOf } from './record-headers.js';

/**
 * The one place where trace context meets the event log (ADR 0105), for every adapter: what a
 * publish puts in a record's headers, and what a consumer reads back from them. Tracing off, an
 * event carries no trace and these add no header.
 */

const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

/** Headers a record of this event carries: the trace context of the span that created the event. */
export function traceHeadersOf(event: OutgoingEvent): Record<string, string> | undefined {
  return event.trace === undefined ? undefined : { ...event.trace };
}

/** The trace context a record came with, whichever way its adapter stores headers. */
export function traceCarrierOf(record: RawRecord): TraceCarrier | undefined {
  let carrier: Record<string, string> | undefined;
  for (const name of TRACE_HEADERS) {
    const value = headerOf(record, name);
    if (value !== undefined) (carrier ??= {})[name] = value;
  }
  return carrier;
}

/**
 * Runs a consumer's handling of one partition's records in a `process <topic>` span continuing the
 * span(s) that published them: the handler's queries, and the events it publishes, belong to the
 * same trace as the message that caused them.
 */
export function inConsumeSpan<T>(
  groupId: string,
  records: readonly RawRecord[],
  work: () => Promise<T>,
): Promise<T> {
  const topic = records[0]?.topic ?? '';
  return inSpanContinuing(
    `process ${topic}`,
    // Read only with tracing on: off, no record's headers are looked at for it.
    carriersOf(records),
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(records[0]?.partition ?? ''),
        'messaging.consumer.group.name': groupId,
        'messaging.batch.message_count': records.length,
      },
    },
    work,
  );
}

function* carriersOf(records: readonly RawRecord[]): Iterable<TraceCarrier | undefined> {
  for (const record of records) yield traceCarrierOf(record);
}

/** Runs a publish in a `send <topics>` span: the events routed inside it carry its context. */
export function inPublishSpan<T>(
  topics: readonly string[],
  count: number,
  work: () => Promise<T>,
): Promise<T> {
  return inSpanContinuing(
    `send ${[...new Set(topics)].join(',')}`,
    [],
    {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.operation.type': 'send', 'messaging.batch.message_count': count },
    },
    work,
  );
}
