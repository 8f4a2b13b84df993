import {
  ConversationLabelsChangedV1,
  CustomerLabelsChangedV1,
  type MessageSender,
} from '@switchboard/contracts';
import { routed } from '@switchboard/messaging';
import type { OutboxEntry } from '../outbox/outbox.js';

/** ConversationLabelsChangedV1 for the outbox: the whole set now on the conversation (ADR 0117). */
export function conversationLabelsChangedEntry(input: {
  workspaceId: string;
  conversationId: string;
  customerId: string;
  labelIds: readonly string[];
  changedBy: MessageSender;
  changedAt: string;
}): OutboxEntry {
  const { workspaceId, ...payload } = input;
  return routed(
    ConversationLabelsChangedV1.create({
      workspaceId,
      payload: { ...payload, labelIds: [...payload.labelIds] },
    }),
  );
}

/** CustomerLabelsChangedV1 for the outbox: the whole set now on the customer (ADR 0117). */
export function customerLabelsChangedEntry(input: {
  workspaceId: string;
  customerId: string;
  labelIds: readonly string[];
  changedBy: MessageSender;
  changedAt: string;
  cause?: 'merge';
}): OutboxEntry {
  const { workspaceId, cause, ...payload } = input;
  return routed(
    CustomerLabelsChangedV1.create({
      workspaceId,
      payload: { ...payload, labelIds: [...payload.labelIds], ...(cause ? { cause } : {}) },
    }),
  );
}
