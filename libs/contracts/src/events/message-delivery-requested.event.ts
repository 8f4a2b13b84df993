import { z } from 'zod';
import {
  attachmentSchema,
  channelSchema,
  identityKindSchema,
  messageTemplateSchema,
  messageTextSchema,
  secureFormSchema,
} from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';
import { messageSenderSchema } from './conversation-message-appended.event.js';

/**
 * History stored an outbound message; the channel adapter for `channel` delivers it and reports
 * back with DeliveryStatusChangedV1 (carrying `messageId`). Keyed by workspace.
 */
export const MessageDeliveryRequestedV1 = defineEvent(
  'message.delivery.requested',
  1,
  z.object({
    messageId: z.uuid(),
    conversationId: z.uuid(),
    customerId: z.uuid(),
    channel: channelSchema,
    /**
     * The account to send from. Null when neither the request nor the conversation named one (a
     * first message to a customer who never wrote on this channel): the adapter then sends from
     * the workspace's default account for the channel.
     */
    channelAccountId: z.string().min(1).max(200).nullable(),
    /** The customer's address on that channel (E.164 phone, PSID, chat id, visitor id, …). */
    recipient: z.object({ kind: identityKindSchema, address: z.string().min(1).max(500) }),
    text: messageTextSchema.nullable(),
    attachments: z.array(attachmentSchema).max(20),
    /**
     * WhatsApp: send this approved template; `text` is then what the agent sees of it, not sent.
     * Optional and added within V1: a consumer that predates it sees the text only.
     */
    template: messageTemplateSchema.optional(),
    sender: messageSenderSchema,
    /**
     * Added in v1 as an optional field (consumers that predate it ignore it): the message asks
     * the customer to fill a secure form; only the web channel renders one (ADR 0082).
     */
    form: secureFormSchema.optional(),
    /**
     * Added in v1 as an optional field: the customer's last message on this channel as history
     * held it when it accepted the reply (to which account, from which address, when received).
     * The channel decides the provider's messaging window from the later of this and its own
     * record, which a webhook no longer waits for (ADR 0126): a reply to a message just received
     * is never refused for a window the channel has not recorded yet.
     */
    lastInbound: z
      .object({
        channelAccountId: z.string().min(1).max(200).nullable(),
        address: z.string().min(1).max(500),
        at: z.iso.datetime({ offset: true }),
      })
      .optional(),
    requestedAt: z.iso.datetime({ offset: true }),
  }),
  { topic: Topics.deliveries },
);
export type MessageDeliveryRequestedV1 = EventOf<typeof MessageDeliveryRequestedV1>;
export type MessageDeliveryRequestedV1Payload = PayloadOf<typeof MessageDeliveryRequestedV1>;
