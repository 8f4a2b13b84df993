import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

/** An agent accepted or rejected a conversation offered to them (queues in offer mode). Keyed by workspace. */
export const ConversationOfferAnsweredV1 = defineEvent(
  'conversation.offer.answered',
  1,
  z.object({
    conversationId: z.uuid(),
    agentId: z.string().min(1).max(200),
    accepted: z.boolean(),
    answeredAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.routingCommands },
);
export type ConversationOfferAnsweredV1 = EventOf<typeof ConversationOfferAnsweredV1>;
export type ConversationOfferAnsweredV1Payload = PayloadOf<typeof ConversationOfferAnsweredV1>;
