import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

/**
 * Ephemeral presence in a conversation: typing, stopped typing, or read up to a sequence number.
 * The inbox publishes agents' activity for the web channel to show customers, and the web channel
 * publishes customers' for the inbox. Topic `activity`, keyed by workspace. Consumers may drop
 * stale typing events (older than a few seconds); `read` is durable information (read receipts).
 */
export const ParticipantActivityV1 = defineEvent(
  'conversation.activity',
  1,
  z.object({
    conversationId: z.uuid(),
    customerId: z.uuid(),
    participant: z.object({
      type: z.enum(['agent', 'customer']),
      id: z.string().min(1).max(200),
      name: z.string().max(200).optional(),
    }),
    activity: z.enum(['typing', 'stopped_typing', 'read']),
    /** For `read`: every message up to this sequence number has been seen. */
    upToSequence: z.number().int().positive().optional(),
    at: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.activity },
);
export type ParticipantActivityV1 = EventOf<typeof ParticipantActivityV1>;
export type ParticipantActivityV1Payload = PayloadOf<typeof ParticipantActivityV1>;
