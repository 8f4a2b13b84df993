import {
  ConversationMessageAppendedV1,
  type ConversationMessageAppendedV1Payload,
  ConversationStatusChangedV1,
  type ConversationStatus,
  type MessageSender,
} from '@switchboard/contracts';
import { routed } from '@switchboard/messaging';
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
  return routed(
    ConversationStatusChangedV1.create({
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
  );
}

/**
 * ConversationMessageAppendedV1 for the outbox, for a message of any direction (inbound, an
 * agent's reply, a note). The customer's attributes go only with the message that opened the
 * conversation (routing matches queues on them); hints only when the channel gave some.
 */
export function messageAppendedEntry(input: {
  workspaceId: string;
  correlationId?: string;
  message: Omit<ConversationMessageAppendedV1Payload, 'customerAttributes' | 'hints'>;
  customerAttributes?: Record<string, string> | null;
  hints?: Record<string, string>;
}): OutboxEntry {
  const { message, customerAttributes, hints } = input;
  return routed(
    ConversationMessageAppendedV1.create({
      workspaceId: input.workspaceId,
      correlationId: input.correlationId,
      payload: {
        ...message,
        ...(message.openedConversation ? { customerAttributes: customerAttributes ?? {} } : {}),
        ...(hints !== undefined ? { hints } : {}),
      },
    }),
  );
}
