import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';
import { messageSenderSchema } from './conversation-message-appended.event.js';

/** An agent or integrator asks routing to move a conversation to an agent or a queue. Keyed by workspace. */
export const ConversationTransferRequestedV1 = defineEvent(
  'conversation.transfer.requested',
  1,
  z.object({
    conversationId: z.uuid(),
    to: z.union([
      z.object({ agentId: z.string().min(1).max(200) }).strict(),
      z.object({ queueId: z.string().min(1).max(200) }).strict(),
    ]),
    requestedBy: messageSenderSchema,
    note: z.string().max(1000).optional(),
    requestedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.routingCommands },
);
export type ConversationTransferRequestedV1 = EventOf<typeof ConversationTransferRequestedV1>;
export type ConversationTransferRequestedV1Payload = PayloadOf<typeof ConversationTransferRequestedV1>;
