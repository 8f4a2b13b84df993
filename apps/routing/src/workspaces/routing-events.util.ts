import {
  AgentPresenceChangedV1,
  ConversationAssignedV1,
  ConversationUnassignedV1,
  Topics,
  type EventEnvelope,
} from '@switchboard/contracts';
import type { RoutingEffect } from '../core/routing-types.js';

const MAX_REASON = 1000;

/** The event each decision of the core becomes, and the topic it goes to. */
export function eventOfEffect(
  workspaceId: string,
  effect: RoutingEffect,
): { topic: string; event: EventEnvelope } {
  const occurredAt = new Date(effect.at).toISOString();
  switch (effect.kind) {
    case 'assigned':
      return {
        topic: Topics.routing,
        event: ConversationAssignedV1.create({
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
      };
    case 'unassigned':
      return {
        topic: Topics.routing,
        event: ConversationUnassignedV1.create({
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
      };
    case 'presence':
      return {
        topic: Topics.agents,
        event: AgentPresenceChangedV1.create({
          workspaceId,
          occurredAt,
          payload: {
            agentId: effect.agentId,
            presence: effect.presence,
            reason: effect.reason,
            changedAt: occurredAt,
          },
        }),
      };
  }
}
