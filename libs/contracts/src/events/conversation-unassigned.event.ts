import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

/**
 * Routing took a conversation back from an agent: an offer was rejected or timed out, the agent
 * went away or offline before answering, was removed, or the conversation was transferred. It is
 * waiting again (in its queue, or for the agent it was transferred to) until the next
 * ConversationAssignedV1. Keyed by workspace, on the routing topic.
 */
export const ConversationUnassignedV1 = defineEvent(
  'conversation.unassigned',
  1,
  z.object({
    conversationId: z.uuid(),
    agentId: z.string().min(1).max(200),
    queueId: z.string().min(1).max(200).nullable(),
    reason: z.enum([
      'agent_away',
      'agent_offline',
      'agent_removed',
      'offer_rejected',
      'offer_timeout',
      'transferred',
    ]),
    unassignedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.routing },
);
export type ConversationUnassignedV1 = EventOf<typeof ConversationUnassignedV1>;
export type ConversationUnassignedV1Payload = PayloadOf<typeof ConversationUnassignedV1>;
