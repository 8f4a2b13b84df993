import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';
import { messageSenderSchema } from './conversation-message-appended.event.js';

/**
 * A conversation's labels were set (history, ADR 0117): the whole set now on it, so a consumer
 * never needs the one before. Ids only, no names: the inbox refetches what it shows. Keyed by
 * workspace, on `conversations`, in the order of the conversation's other facts.
 */
export const ConversationLabelsChangedV1 = defineEvent(
  'conversation.labels.changed',
  1,
  z.object({
    conversationId: z.uuid(),
    customerId: z.uuid(),
    labelIds: z.array(z.uuid()).max(200),
    changedBy: messageSenderSchema,
    changedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.conversations },
);
export type ConversationLabelsChangedV1 = EventOf<typeof ConversationLabelsChangedV1>;
export type ConversationLabelsChangedV1Payload = PayloadOf<typeof ConversationLabelsChangedV1>;
