import { z } from 'zod';
import { channelSchema } from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';
import { botHandoffReasonSchema } from './bot-handoff-requested.event.js';

/** Why a conversation left the bot: the bot's own hand-off reasons, or an agent taking it over. */
export const botReleaseReasonSchema = z.union([botHandoffReasonSchema, z.literal('taken_over')]);
export type BotReleaseReason = z.infer<typeof botReleaseReasonSchema>;

/**
 * Routing started or stopped holding a conversation for the bot (ADR 0080). `held: true`: it is
 * with the bot, waiting for no agent. `held: false`: it left the bot for routing's queues (or for
 * `agentId`, who took it over), with the reason; the bot stops answering in it. Supervisors and
 * agents see "with the bot" live from these. Keyed by workspace, on the routing topic.
 */
export const BotHoldChangedV1 = defineEvent(
  'bot.hold.changed',
  1,
  z.object({
    conversationId: z.uuid(),
    customerId: z.uuid(),
    channel: channelSchema,
    held: z.boolean(),
    /** Null while held. */
    reason: botReleaseReasonSchema.nullable(),
    /** Who took it over (reason `taken_over` to an agent); otherwise null. */
    agentId: z.string().min(1).max(200).nullable(),
    changedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.routing },
);
export type BotHoldChangedV1 = EventOf<typeof BotHoldChangedV1>;
export type BotHoldChangedV1Payload = PayloadOf<typeof BotHoldChangedV1>;
