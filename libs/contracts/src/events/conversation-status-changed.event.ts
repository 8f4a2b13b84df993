import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';
import { messageSenderSchema } from './conversation-message-appended.event.js';

export const conversationStatusSchema = z.enum(['open', 'pending', 'resolved']);
export type ConversationStatus = z.infer<typeof conversationStatusSchema>;

/** A conversation was resolved, reopened or set pending (history). Keyed by workspace. */
export const ConversationStatusChangedV1 = defineEvent(
  'conversation.status.changed',
  1,
  z.object({
    conversationId: z.uuid(),
    customerId: z.uuid(),
    status: conversationStatusSchema,
    previousStatus: conversationStatusSchema,
    changedBy: messageSenderSchema,
    changedAt: z.iso.datetime({ offset: true }),
    /**
     * Set when no one decided the change: `merge` — a customer merge resolved the source's open
     * conversation (it continues in the target's), or an undone merge reopened it. Channels don't
     * treat it as the end of a conversation (no rating request). Absent: an explicit change.
     */
    cause: z.enum(['merge']).optional(),
  }),
  { topic: Topics.conversations },
);
export type ConversationStatusChangedV1 = EventOf<typeof ConversationStatusChangedV1>;
export type ConversationStatusChangedV1Payload = PayloadOf<typeof ConversationStatusChangedV1>;
