import { z } from 'zod';

/**
 * What the browser may send on `/ws/inbox`: the agent's typing in a conversation, or a heartbeat
 * ping, answered with a pong so the browser knows its socket still reaches a server (ADR 0110).
 */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('typing'),
    conversationId: z.uuid(),
    state: z.enum(['typing', 'stopped_typing']),
  }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** What the server sends: an event from the log, as it was published (payloads are validated contracts). */
export interface EventFrame {
  readonly type: 'event';
  readonly topic: string;
  readonly event: {
    readonly id: string;
    readonly type: string;
    readonly occurredAt: string;
    readonly payload: unknown;
  };
}

export interface HelloFrame {
  readonly type: 'hello';
  readonly userId: string;
  readonly replicaId: string;
}

export interface PongFrame {
  readonly type: 'pong';
}
