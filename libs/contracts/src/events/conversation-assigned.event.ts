import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

export const assignmentCandidateSchema = z.object({
  agentId: z.string().min(1).max(200),
  /** Occupancy at decision time: load ÷ capacity, 0..1. */
  occupancy: z.number().min(0),
  idleSinceMs: z.number().nonnegative(),
  preferred: z.boolean(),
  /** Why this candidate was not chosen, when it was not. */
  rejectedBecause: z.string().max(500).optional(),
});

/** Routing gave a conversation to an agent, and why. Keyed by workspace. */
export const ConversationAssignedV1 = defineEvent(
  'conversation.assigned',
  1,
  z.object({
    conversationId: z.uuid(),
    queueId: z.string().min(1).max(200).nullable(),
    agentId: z.string().min(1).max(200),
    /** `offer` when the agent must still accept; `assign` when it is theirs. */
    mode: z.enum(['assign', 'offer']),
    assignedAt: z.iso.datetime({ offset: true }),
    explanation: z.object({
      /** The routing step whose expression matched, by index and text; null for a direct transfer. */
      step: z.object({ index: z.number().int().nonnegative(), expression: z.string().max(1000) }).nullable(),
      reason: z.string().max(1000),
      candidates: z.array(assignmentCandidateSchema).max(100),
    }),
  }),
  { topic: Topics.routing },
);
export type ConversationAssignedV1 = EventOf<typeof ConversationAssignedV1>;
export type ConversationAssignedV1Payload = PayloadOf<typeof ConversationAssignedV1>;
