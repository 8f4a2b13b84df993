import { z } from 'zod';
import {
  attachmentSchema,
  channelSchema,
  messageTemplateSchema,
  messageTextSchema,
  secureFormSchema,
} from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';
import { messageSenderSchema } from './conversation-message-appended.event.js';

/** An agent, integrator or bot asks to send a message (or add a note). Keyed by workspace. */
export const OutboundMessageRequestedV1 = defineEvent(
  'outbound.message.requested',
  1,
  z
    .object({
      /** Chosen by the client; the same key twice is one message. */
      idempotencyKey: z.string().min(1).max(200),
      customerId: z.uuid().optional(),
      conversationId: z.uuid().optional(),
      /** The channel to send on; absent means the channel the customer last wrote from. */
      channel: channelSchema.optional(),
      channelAccountId: z.string().max(200).optional(),
      /** An internal note is stored and shown to agents, never sent. */
      internalNote: z.boolean().default(false),
      text: messageTextSchema.nullable(),
      attachments: z.array(attachmentSchema).max(20).default([]),
      /** WhatsApp: an approved template, sent instead of the text (optional, added within V1). */
      template: messageTemplateSchema.optional(),
      sender: messageSenderSchema,
      /** Asks the customer to fill a secure form (web only; ADR 0082; optional, added within V1). */
      form: secureFormSchema.optional(),
    })
    .refine((p) => p.customerId !== undefined || p.conversationId !== undefined, {
      message: 'customerId or conversationId is required',
      path: ['customerId'],
    })
    .refine(
      (p) => (p.text !== null && p.text.length > 0) || p.attachments.length > 0 || p.template !== undefined,
      {
        message: 'text, an attachment or a template is required',
        path: ['text'],
      },
    ),
  { topic: Topics.outboundRequests },
);
export type OutboundMessageRequestedV1 = EventOf<typeof OutboundMessageRequestedV1>;
export type OutboundMessageRequestedV1Payload = PayloadOf<typeof OutboundMessageRequestedV1>;
