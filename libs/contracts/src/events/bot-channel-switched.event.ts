import { z } from 'zod';
import { channelSchema } from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

/**
 * An admin switched the answer bot on or off for a channel: routing holds the conversations
 * opened there for the bot, or hands off the ones it holds (ADR 0080). Keyed by workspace, on
 * routing-commands.
 */
export const BotChannelSwitchedV1 = defineEvent(
  'bot.channel.switched',
  1,
  z.object({
    channel: channelSchema,
    enabled: z.boolean(),
    switchedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.routingCommands },
);
export type BotChannelSwitchedV1 = EventOf<typeof BotChannelSwitchedV1>;
export type BotChannelSwitchedV1Payload = PayloadOf<typeof BotChannelSwitchedV1>;
