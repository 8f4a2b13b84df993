import {
  AgentPresenceChangedV1,
  BotHoldChangedV1,
  ConversationAssignedV1,
  ConversationLabelsChangedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationUnassignedV1,
  CsatSubmittedV1,
  CustomerErasedV1,
  type EventDefinition,
  type EventEnvelope,
  type EventOf,
} from '@switchboard/contracts';

function isEvent<D extends EventDefinition>(definition: D, event: EventEnvelope): event is EventOf<D> {
  return event.type === definition.type && event.version === definition.version;
}

/** What one event says about a conversation, as the store keeps it (times from the events). */
export type FactData =
  | { kind: 'opened'; channel: string }
  | { kind: 'reply'; by: 'agent' | 'integrator' | 'bot'; agentId: string | null }
  | { kind: 'assigned'; agentId: string; queueId: string | null; mode: 'assign' | 'offer' }
  | { kind: 'unassigned'; agentId: string; queueId: string | null }
  | { kind: 'status'; status: string; previous: string; by: string; merge: boolean }
  | { kind: 'bot_hold'; held: boolean; reason: string | null }
  | { kind: 'csat'; rating: number };

export interface Fact {
  readonly eventId: string;
  readonly workspaceId: string;
  readonly conversationId: string;
  readonly at: number;
  readonly data: FactData;
}

export interface PresenceFact {
  readonly eventId: string;
  readonly workspaceId: string;
  readonly agentId: string;
  readonly presence: string;
  readonly at: number;
}

/** The events the store reads. */
export const REPORTED_EVENTS = [
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ConversationAssignedV1,
  ConversationUnassignedV1,
  BotHoldChangedV1,
  AgentPresenceChangedV1,
  CsatSubmittedV1,
  CustomerErasedV1,
  // Not a fact: each conversation's current labels, kept on their own (label-change.ts, ADR 0123).
  ConversationLabelsChangedV1,
] as const;

export interface Erasure {
  readonly workspaceId: string;
  readonly conversationIds: readonly string[];
  readonly erasedAt: string;
}

/** A customer's erasure (ADR 0107), or null for any other event. */
export function erasureOf(event: EventEnvelope): Erasure | null {
  if (!isEvent(CustomerErasedV1, event)) return null;
  return {
    workspaceId: event.workspaceId,
    conversationIds: event.payload.conversationIds,
    erasedAt: event.payload.erasedAt,
  };
}

/** An event as a fact, a presence change, or nothing the reports count (a note, a customer's message). */
export function factOf(event: EventEnvelope): Fact | PresenceFact | null {
  const base = { eventId: event.id, workspaceId: event.workspaceId };
  if (isEvent(ConversationMessageAppendedV1, event)) {
    const p = event.payload;
    const at = Date.parse(p.createdAt);
    if (p.openedConversation)
      return {
        ...base,
        conversationId: p.conversationId,
        at,
        data: { kind: 'opened', channel: p.channel ?? 'none' },
      };
    const by = p.sender.type;
    if (p.direction !== 'out' || (by !== 'agent' && by !== 'integrator' && by !== 'bot')) return null;
    return {
      ...base,
      conversationId: p.conversationId,
      at,
      data: { kind: 'reply', by, agentId: p.sender.id ?? null },
    };
  }
  if (isEvent(ConversationStatusChangedV1, event)) {
    const p = event.payload;
    return {
      ...base,
      conversationId: p.conversationId,
      at: Date.parse(p.changedAt),
      data: {
        kind: 'status',
        status: p.status,
        previous: p.previousStatus,
        by: p.changedBy.type,
        merge: p.cause === 'merge',
      },
    };
  }
  if (isEvent(ConversationAssignedV1, event)) {
    const p = event.payload;
    return {
      ...base,
      conversationId: p.conversationId,
      at: Date.parse(p.assignedAt),
      data: { kind: 'assigned', agentId: p.agentId, queueId: p.queueId, mode: p.mode },
    };
  }
  if (isEvent(ConversationUnassignedV1, event)) {
    const p = event.payload;
    return {
      ...base,
      conversationId: p.conversationId,
      at: Date.parse(p.unassignedAt),
      data: { kind: 'unassigned', agentId: p.agentId, queueId: p.queueId },
    };
  }
  if (isEvent(BotHoldChangedV1, event)) {
    const p = event.payload;
    return {
      ...base,
      conversationId: p.conversationId,
      at: Date.parse(p.changedAt),
      data: { kind: 'bot_hold', held: p.held, reason: p.reason },
    };
  }
  if (isEvent(CsatSubmittedV1, event)) {
    const p = event.payload;
    return {
      ...base,
      conversationId: p.conversationId,
      at: Date.parse(p.submittedAt),
      data: { kind: 'csat', rating: p.rating },
    };
  }
  if (isEvent(AgentPresenceChangedV1, event)) {
    const p = event.payload;
    return { ...base, agentId: p.agentId, presence: p.presence, at: Date.parse(p.changedAt) };
  }
  return null;
}

export function isPresenceFact(fact: Fact | PresenceFact): fact is PresenceFact {
  return 'presence' in fact;
}
