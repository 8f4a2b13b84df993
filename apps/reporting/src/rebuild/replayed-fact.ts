import type { HistoryRecordView } from '@switchboard/contracts';
import { messageFact, type Erasure, type Fact } from '../projection/fact.js';
import type { LabelChange } from '../projection/label-change.js';

/**
 * One of history's records (ADR 0106) as the fact its live event makes (`factOf`), under the same
 * key: a message under its id, a status change, an assignment or a hold under the event id history
 * kept. A rating is keyed by its conversation (history keeps the latest one only): beside the live
 * fact of the same rating it changes nothing, since a summary counts the latest rating once. A
 * label change is the change its live event makes (`labelChangeOf`, ADR 0118): not a fact.
 */
export function replayedFact(
  workspaceId: string,
  record: HistoryRecordView,
): Fact | Erasure | LabelChange | null {
  if (record.kind === 'message')
    return messageFact(workspaceId, {
      messageId: record.id,
      conversationId: record.conversationId,
      at: Date.parse(record.at),
      opened: record.sequence === 1,
      channel: record.channel,
      direction: record.direction,
      sender: record.sender,
    });
  if (record.kind === 'erasure')
    return { workspaceId, conversationIds: record.conversationIds, erasedAt: record.at };
  if (record.kind === 'labels')
    return {
      eventId: record.id,
      workspaceId,
      conversationId: record.conversationId,
      labelIds: [...new Set(record.labelIds)].sort(),
      changedAt: Date.parse(record.at),
    };
  const base = {
    eventId: record.id,
    workspaceId,
    conversationId: record.conversationId,
    at: Date.parse(record.at),
  };
  switch (record.kind) {
    case 'status':
      return {
        ...base,
        data: {
          kind: 'status',
          status: record.status,
          previous: record.previousStatus,
          by: record.changedBy.type,
          merge: record.cause === 'merge',
        },
      };
    case 'assignment':
      // Routing names an agent in every decision; a row without one has nothing to count.
      if (record.agentId === null) return null;
      return record.mode === 'unassign'
        ? { ...base, data: { kind: 'unassigned', agentId: record.agentId, queueId: record.queueId } }
        : {
            ...base,
            data: { kind: 'assigned', agentId: record.agentId, queueId: record.queueId, mode: record.mode },
          };
    case 'bot_hold':
      return { ...base, data: { kind: 'bot_hold', held: record.held, reason: record.reason } };
    case 'csat':
      return { ...base, data: { kind: 'csat', rating: record.rating } };
  }
}

export function isErasure(value: Fact | Erasure | LabelChange): value is Erasure {
  return 'conversationIds' in value;
}

export function isLabelChange(value: Fact | Erasure | LabelChange): value is LabelChange {
  return 'labelIds' in value;
}
