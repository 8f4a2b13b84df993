import {
  AgentPresenceChangedV1,
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationUnassignedV1,
} from '@switchboard/contracts';
import { type OutgoingEvent, routed } from '@switchboard/messaging';
import type { RoutingEffect } from '../core/routing-types.js';

const MAX_REASON = 1000;

/** The event each decision of the core becomes, with the topic and key its definition gives it. */
export function eventOfEffect(workspaceId: string, effect: RoutingEffect): OutgoingEvent {
  const occurredAt = new Date(effect.at).toISOString();
  switch (effect.kind) {
    case 'assigned':
      return routed(
        ConversationAssignedV1.create({
          workspaceId,
          occurredAt,
          payload: {
            conversationId: effect.conversationId,
            queueId: effect.queueId,
            agentId: effect.agentId,
            mode: effect.mode,
            assignedAt: occurredAt,
            explanation: {
              ...effect.explanation,
              reason: effect.explanation.reason.slice(0, MAX_REASON),
              candidates: effect.explanation.candidates.slice(0, 100),
            },
          },
        }),
      );
    case 'unassigned':
      return routed(
        ConversationUnassignedV1.create({
          workspaceId,
          occurredAt,
          payload: {
            conversationId: effect.conversationId,
            agentId: effect.agentId,
            queueId: effect.queueId,
            reason: effect.reason,
            unassignedAt: occurredAt,
          },
        }),
      );
    case 'bot_held':
    case 'bot_released':
      return routed(
        BotHoldChangedV1.create({
          workspaceId,
          occurredAt,
          payload: {
            conversationId: effect.conversationId,
            customerId: effect.customerId,
            channel: effect.channel,
            held: effect.kind === 'bot_held',
            reason: effect.kind === 'bot_released' ? effect.reason : null,
            agentId: effect.kind === 'bot_released' ? effect.agentId : null,
            changedAt: occurredAt,
          },
        }),
      );
    case 'presence':
      return routed(
        AgentPresenceChangedV1.create({
          workspaceId,
          occurredAt,
          payload: {
            agentId: effect.agentId,
            presence: effect.presence,
            reason: effect.reason,
            changedAt: occurredAt,
          },
        }),
      );
  }
}
