import {
  AgentPresenceChangedV1,
  BotChannelSwitchedV1,
  BotHandoffRequestedV1,
  ConversationMessageAppendedV1,
  ConversationOfferAnsweredV1,
  ConversationStatusChangedV1,
  ConversationTransferRequestedV1,
  type BotReleaseReason,
  type Channel,
  type EventEnvelope,
  type MessageSender,
  type Presence,
  type PresenceReason,
} from '@switchboard/contracts';
import type { RoutingEngine } from '../core/routing-engine.js';
import type { AgentConfig, ConversationArrival, QueueConfig } from '../core/routing-types.js';

/**
 * One entry of a workspace's routing journal: what routing must apply, in order. Events from the
 * log are translated into these as they are journaled; configuration changes from the API are
 * journaled directly, so the owner applies them in the same order as everything else.
 */
export type RoutingInput =
  | {
      readonly type: 'conversation.opened';
      readonly arrival: ConversationArrival;
      /** False when an agent or integrator opened it (never held for the bot); absent in older entries. */
      readonly fromCustomer?: boolean;
    }
  | { readonly type: 'conversation.answered'; readonly conversationId: string; readonly agentId?: string }
  | { readonly type: 'conversation.customer_wrote'; readonly conversationId: string }
  | { readonly type: 'conversation.bot_replied'; readonly conversationId: string }
  | { readonly type: 'bot.channel'; readonly channel: Channel; readonly enabled: boolean }
  | { readonly type: 'bot.handoff'; readonly conversationId: string; readonly reason: BotReleaseReason }
  | { readonly type: 'conversation.resolved'; readonly conversationId: string }
  | { readonly type: 'conversation.reopened'; readonly conversationId: string }
  | {
      readonly type: 'agent.presence';
      readonly agentId: string;
      readonly presence: Presence;
      readonly reason: PresenceReason;
      readonly changedAt: number;
    }
  | {
      readonly type: 'conversation.transfer';
      readonly conversationId: string;
      readonly to: { agentId: string } | { queueId: string };
      readonly by: string;
    }
  | {
      readonly type: 'offer.answered';
      readonly conversationId: string;
      readonly agentId: string;
      readonly accepted: boolean;
    }
  | { readonly type: 'agent.configured'; readonly config: AgentConfig }
  | { readonly type: 'agent.removed'; readonly agentId: string }
  | { readonly type: 'queue.configured'; readonly config: QueueConfig }
  | { readonly type: 'queue.removed'; readonly queueId: string };

/** The events routing consumes. */
export const routingInputEvents = [
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  AgentPresenceChangedV1,
  ConversationTransferRequestedV1,
  ConversationOfferAnsweredV1,
  BotHandoffRequestedV1,
  BotChannelSwitchedV1,
] as const;

/** What an event means to routing; null when it means nothing (most messages). */
export function inputFromEvent(event: EventEnvelope): RoutingInput | null {
  switch (event.type) {
    case ConversationMessageAppendedV1.type: {
      const p = (event as ConversationMessageAppendedV1).payload;
      if (p.openedConversation && p.channel !== null) {
        return {
          type: 'conversation.opened',
          arrival: {
            conversationId: p.conversationId,
            customerId: p.customerId,
            channel: p.channel,
            channelAccountId: p.channelAccountId,
            customerAttributes: p.customerAttributes ?? {},
            hints: p.hints ?? {},
          },
          fromCustomer: p.direction === 'in',
        };
      }
      if (p.direction === 'out' && p.sender.type === 'agent') {
        return { type: 'conversation.answered', conversationId: p.conversationId, agentId: p.sender.id };
      }
      // Only the bot's reply deadline needs these (ADR 0080): the owner drops them for a
      // conversation the bot does not hold.
      if (p.direction === 'in' && p.sender.type === 'customer')
        return { type: 'conversation.customer_wrote', conversationId: p.conversationId };
      if (p.direction === 'out' && p.sender.type === 'bot')
        return { type: 'conversation.bot_replied', conversationId: p.conversationId };
      return null;
    }
    case ConversationStatusChangedV1.type: {
      const p = (event as ConversationStatusChangedV1).payload;
      if (p.status === 'resolved') return { type: 'conversation.resolved', conversationId: p.conversationId };
      if (p.previousStatus === 'resolved')
        return { type: 'conversation.reopened', conversationId: p.conversationId };
      return null;
    }
    case AgentPresenceChangedV1.type: {
      const p = (event as AgentPresenceChangedV1).payload;
      return {
        type: 'agent.presence',
        agentId: p.agentId,
        presence: p.presence,
        reason: p.reason,
        changedAt: Date.parse(p.changedAt),
      };
    }
    case ConversationTransferRequestedV1.type: {
      const p = (event as ConversationTransferRequestedV1).payload;
      return {
        type: 'conversation.transfer',
        conversationId: p.conversationId,
        to: p.to,
        by: describeSender(p.requestedBy),
      };
    }
    case ConversationOfferAnsweredV1.type: {
      const p = (event as ConversationOfferAnsweredV1).payload;
      return {
        type: 'offer.answered',
        conversationId: p.conversationId,
        agentId: p.agentId,
        accepted: p.accepted,
      };
    }
    case BotHandoffRequestedV1.type: {
      const p = (event as BotHandoffRequestedV1).payload;
      return { type: 'bot.handoff', conversationId: p.conversationId, reason: p.reason };
    }
    case BotChannelSwitchedV1.type: {
      const p = (event as BotChannelSwitchedV1).payload;
      return { type: 'bot.channel', channel: p.channel, enabled: p.enabled };
    }
    default:
      return null;
  }
}

function describeSender(sender: MessageSender): string {
  return sender.name ?? (sender.id ? `${sender.type} ${sender.id}` : sender.type);
}

/** Applies one journal entry to the workspace's engine. */
export function applyInput(engine: RoutingEngine, input: RoutingInput): void {
  switch (input.type) {
    case 'conversation.opened':
      return engine.open(input.arrival, input.fromCustomer !== false);
    case 'conversation.answered':
      return engine.markAnswered(input.conversationId, input.agentId);
    case 'conversation.customer_wrote':
      return engine.customerWrote(input.conversationId);
    case 'conversation.bot_replied':
      return engine.botReplied(input.conversationId);
    case 'bot.channel':
      return engine.setBotChannel(input.channel, input.enabled);
    case 'bot.handoff':
      return engine.handOff(input.conversationId, input.reason);
    case 'conversation.resolved':
      return engine.resolve(input.conversationId);
    case 'conversation.reopened':
      return engine.reopen(input.conversationId);
    case 'agent.presence':
      return engine.setPresence(input.agentId, input.presence, input.reason, input.changedAt);
    case 'conversation.transfer':
      return engine.transfer(input.conversationId, input.to, input.by);
    case 'offer.answered':
      return engine.answerOffer(input.conversationId, input.agentId, input.accepted);
    case 'agent.configured':
      return engine.upsertAgent(input.config);
    case 'agent.removed':
      return engine.removeAgent(input.agentId);
    case 'queue.configured':
      return engine.upsertQueue(input.config);
    case 'queue.removed':
      return engine.removeQueue(input.queueId);
  }
}
