import {
  type EventDefinition,
  eventEnvelopeSchema,
  eventKey,
  findEventDefinition,
} from '@switchboard/contracts';
import { z } from 'zod';
import type { ConsumedEvent } from '../event-bus.js';
import type { DeadLetterReason, RawRecord } from '../dead-letter.js';

export type DecodeResult =
  | { readonly kind: 'event'; readonly consumed: ConsumedEvent }
  | { readonly kind: 'skip' }
  | { readonly kind: 'reject'; readonly reason: DeadLetterReason; readonly error: string };

/**
 * Turns raw bytes into a validated event, or says why not. Pure: the same record always decodes
 * the same way, so a rejected record is rejected for good and can go to the dead-letter topic.
 */
export class RecordDecoder {
  private readonly accepted: ReadonlySet<string>;

  constructor(accepts: readonly EventDefinition[]) {
    this.accepted = new Set(accepts.map((d) => eventKey(d.type, d.version)));
  }

  decode(record: RawRecord): DecodeResult {
    if (record.value === null) return { kind: 'reject', reason: 'unparseable', error: 'empty record value' };
    let json: unknown;
    try {
      json = JSON.parse(record.value.toString('utf8'));
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
    if (!this.accepted.has(eventKey(type, version))) return { kind: 'skip' };
    const parsed = definition.payloadSchema.safeParse(envelope.data.payload);
    if (!parsed.success) {
      return {
        kind: 'reject',
        reason: 'invalid',
        error: `${eventKey(type, version)} payload: ${z.prettifyError(parsed.error)}`,
      };
    }
    return {
      kind: 'event',
      consumed: {
        event: { ...envelope.data, payload: parsed.data },
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        key: record.key,
      },
    };
  }
}
