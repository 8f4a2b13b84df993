import { z } from 'zod';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

export const botHandoffReasonSchema = z.enum([
  'low_confidence',
  'asked_for_person',
  'not_helpful',
  'bot_switched_off',
  'bot_timeout',
]);
export type BotHandoffReason = z.infer<typeof botHandoffReasonSchema>;

/**
 * The bot (ours or an integrator's) gives a conversation it holds to people: routing queues it
 * from now, with the reason (ADR 0080). Idempotent: a conversation the bot no longer holds is left
 * as it is. Keyed by workspace, on routing-commands.
 */
export const BotHandoffRequestedV1 = defineEvent(
  'bot.handoff.requested',
  1,
  z.object({
    conversationId: z.uuid(),
    customerId: z.uuid(),
    reason: botHandoffReasonSchema,
    /** Articles the bot answered with before handing off, oldest first. */
    articleIds: z.array(z.string().max(200)).max(100),
    requestedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.routingCommands },
);
export type BotHandoffRequestedV1 = EventOf<typeof BotHandoffRequestedV1>;
export type BotHandoffRequestedV1Payload = PayloadOf<typeof BotHandoffRequestedV1>;
