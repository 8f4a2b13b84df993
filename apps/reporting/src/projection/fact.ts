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

/**
 * A message as a fact: the one that opened its conversation, or a reply. Keyed by the message id,
 * not the event's: history's replay of the same message (ADR 0106) is then the same fact.
 */
export function messageFact(
  workspaceId: string,
  m: {
    messageId: string;
    conversationId: string;
    at: number;
    opened: boolean;
    channel: string | null;
    direction: string;
    sender: { type: string; id: string | null };
  },
): Fact | null {
  const base = { eventId: m.messageId, workspaceId, conversationId: m.conversationId, at: m.at };
  if (m.opened) return { ...base, data: { kind: 'opened', channel: m.channel ?? 'none' } };
  const by = m.sender.type;
  if (m.direction !== 'out' || (by !== 'agent' && by !== 'integrator' && by !== 'bot')) return null;
  return { ...base, data: { kind: 'reply', by, agentId: m.sender.id } };
}

/** An event as a fact, a presence change, or nothing the reports count (a note, a customer's message). */
export function factOf(event: EventEnvelope): Fact | PresenceFact | null {
  const base = { eventId: event.id, workspaceId: event.workspaceId };
  if (isEvent(ConversationMessageAppendedV1, event)) {
    const p = event.payload;
    return messageFact(event.workspaceId, {
      messageId: p.messageId,
      conversationId: p.conversationId,
      at: Date.parse(p.createdAt),
      opened: p.openedConversation,
      channel: p.channel,
      direction: p.direction,
      sender: { type: p.sender.type, id: p.sender.id ?? null },
    });
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
