import { ConversationLabelsChangedV1, type EventEnvelope } from '@switchboard/contracts';

/** A conversation's whole set of labels from one `conversation.labels.changed` (ADR 0117). */
export interface LabelChange {
  readonly eventId: string;
  readonly workspaceId: string;
  readonly conversationId: string;
  readonly labelIds: readonly string[];
  /** Epoch ms: the change's own time, never when the store read it. */
  readonly changedAt: number;
}

function isLabelsChanged(event: EventEnvelope): event is ConversationLabelsChangedV1 {
  return (
    event.type === ConversationLabelsChangedV1.type && event.version === ConversationLabelsChangedV1.version
  );
}

/** The label set an event gives a conversation, or null for any other event. */
export function labelChangeOf(event: EventEnvelope): LabelChange | null {
  if (!isLabelsChanged(event)) return null;
  const p = event.payload;
  return {
    eventId: event.id,
    workspaceId: event.workspaceId,
    conversationId: p.conversationId,
    labelIds: [...new Set(p.labelIds)].sort(),
    changedAt: Date.parse(p.changedAt),
  };
}

/** Later change first: the time, then the event id (any fixed order makes replays agree). */
export function isLater(a: LabelChange, b: LabelChange): boolean {
  return a.changedAt > b.changedAt || (a.changedAt === b.changedAt && a.eventId > b.eventId);
}

/**
 * The latest change of each conversation in a batch, in key order (so two members' upserts take
 * their row locks in the same order): one statement may not update a row twice.
 */
export function latestPerConversation(changes: readonly LabelChange[]): LabelChange[] {
  const latest = new Map<string, LabelChange>();
  for (const c of changes) {
    const key = `${c.workspaceId}|${c.conversationId}`;
    const seen = latest.get(key);
    if (seen === undefined || isLater(c, seen)) latest.set(key, c);
  }
  return [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
}
