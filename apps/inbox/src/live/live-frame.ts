import { z } from 'zod';

/** What the browser may send on `/ws/inbox`: the agent's typing in a conversation. */
export const clientFrameSchema = z.object({
  type: z.literal('typing'),
  conversationId: z.uuid(),
  state: z.enum(['typing', 'stopped_typing']),
});
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
