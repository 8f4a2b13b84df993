import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

export const presenceSchema = z.enum(['online', 'away', 'offline']);
export type Presence = z.infer<typeof presenceSchema>;

/** An agent's presence changed (set by the agent, by a dropped connection, or by routing). Keyed by workspace. */
export const AgentPresenceChangedV1 = defineEvent(
  'agent.presence.changed',
  1,
  z.object({
    agentId: z.string().min(1).max(200),
    presence: presenceSchema,
    reason: z.enum(['agent', 'connection', 'offer_timeouts', 'admin']),
    changedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.agents },
);
export type AgentPresenceChangedV1 = EventOf<typeof AgentPresenceChangedV1>;
export type AgentPresenceChangedV1Payload = PayloadOf<typeof AgentPresenceChangedV1>;
