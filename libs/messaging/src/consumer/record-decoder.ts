import {
  type EventDefinition,
  allEventDefinitions,
  eventEnvelopeSchema,
  eventKey,
  findEventDefinition,
} from '@switchboard/contracts';
import { z } from 'zod';
import type { ConsumedEvent } from '../event-bus.js';
import type { DeadLetterReason, RawRecord } from '../dead-letter.js';
import { EVENT_TYPE_HEADER, headerOf } from '../record-headers.js';

export type DecodeResult =
  | { readonly kind: 'event'; readonly consumed: ConsumedEvent }
  | { readonly kind: 'skip' }
  | { readonly kind: 'reject'; readonly reason: DeadLetterReason; readonly error: string };

const SKIP: DecodeResult = { kind: 'skip' };

/** Every definition by the `type@version` a record's type header names. */
const definitionsByKey = new Map(allEventDefinitions.map((d) => [eventKey(d.type, d.version), d]));

/**
 * Turns raw bytes into a validated event, or says why not. Pure: the same record always decodes
 * the same way, so a rejected record is rejected for good and can go to the dead-letter topic.
 *
 * A record whose type header (ADR 0121) names a known type this consumer does not accept is
 * skipped unread: on a topic of many types, most of a group's records. One it accepts is parsed
 * and validated once, against the named definition, which also checks that the body is of that
 * type. Anything else (no header, a type unknown here, a record that fails that check) takes the
 * full path, which says exactly what is wrong with it.
 */
export class RecordDecoder {
  private readonly accepted: ReadonlySet<string>;

  constructor(accepts: readonly EventDefinition[]) {
    this.accepted = new Set(accepts.map((d) => eventKey(d.type, d.version)));
  }

  decode(record: RawRecord): DecodeResult {
    if (record.value === null) return { kind: 'reject', reason: 'unparseable', error: 'empty record value' };
    const named = headerOf(record, EVENT_TYPE_HEADER);
    const definition = named === undefined ? undefined : definitionsByKey.get(named);
    if (definition === undefined) return this.decodeInFull(record, record.value);
    if (!this.accepted.has(named!)) return SKIP;
    try {
      const event = definition.parse(JSON.parse(record.value.toString('utf8')));
      return { kind: 'event', consumed: consumedOf(record, event) };
    } catch {
      return this.decodeInFull(record, record.value);
    }
  }

  /** Parses the record, then checks its envelope, its type and its payload, each in turn. */
  private decodeInFull(record: RawRecord, value: Buffer): DecodeResult {
    let json: unknown;
    try {
      json = JSON.parse(value.toString('utf8'));
    } catch (error) {
      return { kind: 'reject', reason: 'unparseable', error: `not JSON: ${(error as Error).message}` };
    }
    const envelope = eventEnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      return { kind: 'reject', reason: 'invalid', error: `envelope: ${z.prettifyError(envelope.error)}` };
    }
    const { type, version } = envelope.data;
    const definition = findEventDefinition(type, version);
    if (definition === undefined) {
      return {
        kind: 'reject',
        reason: 'unknown-type',
        error: `unknown event type ${eventKey(type, version)}`,
      };
    }
    // A valid event this consumer does not handle is someone else's business on a shared topic.
    if (!this.accepted.has(eventKey(type, version))) return SKIP;
    const parsed = definition.payloadSchema.safeParse(envelope.data.payload);
    if (!parsed.success) {
      return {
        kind: 'reject',
        reason: 'invalid',
        error: `${eventKey(type, version)} payload: ${z.prettifyError(parsed.error)}`,
      };
    }
    return { kind: 'event', consumed: consumedOf(record, { ...envelope.data, payload: parsed.data }) };
  }
}

function consumedOf(record: RawRecord, event: ConsumedEvent['event']): ConsumedEvent {
  return { event, topic: record.topic, partition: record.partition, offset: record.offset, key: record.key };
}
