import { z } from 'zod';

/**
 * The one envelope every event travels in. `id` is unique per event and is what consumers
 * dedupe on; `correlationId` ties together everything caused by one customer or agent action.
 */
export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1).max(200),
  version: z.number().int().positive(),
  workspaceId: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  correlationId: z.string().min(1).max(200),
  payload: z.unknown(),
});

export interface EventEnvelope<TType extends string = string, TPayload = unknown> {
  readonly id: string;
  readonly type: TType;
  readonly version: number;
  readonly workspaceId: string;
  /** ISO-8601 timestamp of when the fact happened (not when it was published). */
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly payload: TPayload;
}
