import { z } from 'zod';
import { attachmentSchema, channelSchema, messageTextSchema } from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

export const messageDirectionSchema = z.enum(['in', 'out', 'note', 'system']);
export type MessageDirection = z.infer<typeof messageDirectionSchema>;

export const messageSenderSchema = z.object({
  type: z.enum(['customer', 'agent', 'integrator', 'bot', 'system']),
  id: z.string().max(200).optional(),
  name: z.string().max(200).optional(),
});
export type MessageSender = z.infer<typeof messageSenderSchema>;

/** History stored a message in a conversation. Keyed by workspace. */
export const ConversationMessageAppendedV1 = defineEvent(
  'conversation.message.appended',
  1,
  z.object({
    conversationId: z.uuid(),
    customerId: z.uuid(),
    messageId: z.uuid(),
    /** Per-conversation sequence number, gapless from 1: what resuming clients ask from. */
    sequence: z.number().int().positive(),
    direction: messageDirectionSchema,
    channel: channelSchema.nullable(),
    channelAccountId: z.string().max(200).nullable(),
    text: messageTextSchema.nullable(),
    attachments: z.array(attachmentSchema).max(20),
    sender: messageSenderSchema,
    createdAt: z.iso.datetime({ offset: true }),
    /** True when this message opened the conversation: routing starts looking for an agent. */
    openedConversation: z.boolean(),
    /** The customer's attributes when the message opened the conversation: queues match on them. */
    customerAttributes: z.record(z.string().max(100), z.string().max(500)).optional(),
    /** Routing hints carried over from the inbound message. */
    hints: z.record(z.string().max(100), z.string().max(500)).optional(),
  }),
  { topic: Topics.conversations },
);
export type ConversationMessageAppendedV1 = EventOf<typeof ConversationMessageAppendedV1>;
export type ConversationMessageAppendedV1Payload = PayloadOf<typeof ConversationMessageAppendedV1>;
