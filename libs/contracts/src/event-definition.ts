import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EventEnvelope } from './envelope.js';
import { eventEnvelopeSchema } from './envelope.js';

/**
 * One versioned event type: its name, version and payload schema. A breaking change to a payload
 * is a new definition with the next version (`…V2`), published beside the old one until every
 * consumer reads it.
 */
export interface EventDefinition<TType extends string = string, TPayload = unknown> {
  readonly type: TType;
  readonly version: number;
  readonly payloadSchema: z.ZodType<TPayload>;
  /** Validates an untrusted envelope of this type; throws a ZodError naming the bad fields. */
  parse(envelope: unknown): EventEnvelope<TType, TPayload>;
  /** Builds a new envelope with a fresh id; the payload is validated before it leaves. */
  create(input: EventInput<TPayload>): EventEnvelope<TType, TPayload>;
}

export interface EventInput<TPayload> {
  workspaceId: string;
  payload: TPayload;
  correlationId?: string;
  occurredAt?: Date | string;
  id?: string;
}

export type EventOf<D> = D extends EventDefinition<infer T, infer P> ? EventEnvelope<T, P> : never;
export type PayloadOf<D> = D extends EventDefinition<string, infer P> ? P : never;

export function defineEvent<TType extends string, TPayload>(
  type: TType,
  version: number,
  payloadSchema: z.ZodType<TPayload>,
): EventDefinition<TType, TPayload> {
  const envelopeSchema = eventEnvelopeSchema.extend({
    type: z.literal(type),
    version: z.literal(version),
    payload: payloadSchema,
  });
  return {
    type,
    version,
    payloadSchema,
    parse: (envelope) => envelopeSchema.parse(envelope),
    create: ({ workspaceId, payload, correlationId, occurredAt, id }) => {
      const eventId = id ?? randomUUID();
      return envelopeSchema.parse({
        id: eventId,
        type,
        version,
        workspaceId,
        occurredAt:
          occurredAt instanceof Date ? occurredAt.toISOString() : (occurredAt ?? new Date().toISOString()),
        correlationId: correlationId ?? eventId,
        payload,
      });
    },
  };
}

/** The key a definition is registered under: `type@version`. */
export function eventKey(type: string, version: number): string {
  return `${type}@${version}`;
}
