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
  }),
  { topic: Topics.conversations },
);
export type ConversationStatusChangedV1 = EventOf<typeof ConversationStatusChangedV1>;
export type ConversationStatusChangedV1Payload = PayloadOf<typeof ConversationStatusChangedV1>;
