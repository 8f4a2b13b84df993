import {
  ConversationStatusChangedV1,
  type ConversationStatus,
  type MessageSender,
  Topics,
} from '@switchboard/contracts';
import type { OutboxEntry } from '../outbox/outbox.js';

/** ConversationStatusChangedV1 for the outbox, keyed by workspace like every conversation fact. */
export function statusChangedEntry(input: {
  workspaceId: string;
  conversationId: string;
  customerId: string;
  status: ConversationStatus;
  previousStatus: ConversationStatus;
  changedBy: MessageSender;
  changedAt: string;
  cause?: 'merge';
  correlationId?: string;
}): OutboxEntry {
  return {
    topic: Topics.conversations,
    key: input.workspaceId,
    event: ConversationStatusChangedV1.create({
      workspaceId: input.workspaceId,
      correlationId: input.correlationId,
      payload: {
        conversationId: input.conversationId,
        customerId: input.customerId,
        status: input.status,
        previousStatus: input.previousStatus,
        changedBy: input.changedBy,
        changedAt: input.changedAt,
        ...(input.cause ? { cause: input.cause } : {}),
      },
    }),
  };
}
