import { z } from 'zod';
import { channelSchema, identityKindSchema } from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

/**
 * A customer rated a resolved conversation (the widget asks 1–5 and an optional comment). Published
 * by the channel on the inbound topic, keyed by the sender's address like their messages; history
 * records it on the conversation. The same (conversation, sender) rating again replaces it.
 */
export const CsatSubmittedV1 = defineEvent(
  'conversation.csat.submitted',
  1,
  z.object({
    conversationId: z.uuid(),
    channel: channelSchema,
    channelAccountId: z.string().min(1).max(200),
    sender: z.object({ kind: identityKindSchema, address: z.string().min(1).max(500) }),
    rating: z.number().int().min(1).max(5),
    comment: z.string().max(2000).optional(),
    submittedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.inbound, key: (payload) => payload.sender.address },
);
export type CsatSubmittedV1 = EventOf<typeof CsatSubmittedV1>;
export type CsatSubmittedV1Payload = PayloadOf<typeof CsatSubmittedV1>;
