import { z } from 'zod';
import { channelSchema } from '../channels.js';
import { defineEvent, type EventOf, type PayloadOf } from '../event-definition.js';
import { Topics } from '../topics.js';

export const deliveryStatusSchema = z.enum([
  'pending',
  'queued',
  'sent',
  'delivered',
  'read',
  'undelivered',
  'failed',
]);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** A provider's receipt for an outbound message. Keyed by workspace. */
export const DeliveryStatusChangedV1 = defineEvent(
  'delivery.status.changed',
  1,
  z
    .object({
      channel: channelSchema,
      /** Null only for a message refused before any account could send it (none set up). */
      channelAccountId: z.string().min(1).max(200).nullable(),
      /** Our message id when the adapter knows it (it does for its own sends). */
      messageId: z.uuid().optional(),
      providerMessageId: z.string().min(1).max(500).optional(),
      status: deliveryStatusSchema,
      errorCode: z.string().max(100).optional(),
      errorMessage: z.string().max(1000).optional(),
      /** When the provider saw the change: receipts arrive out of order. */
      statusAt: z.iso.datetime({ offset: true }),
    })
    .refine((p) => p.messageId !== undefined || p.providerMessageId !== undefined, {
      message: 'messageId or providerMessageId is required',
      path: ['messageId'],
    }),
  { topic: Topics.deliveryStatus },
);
export type DeliveryStatusChangedV1 = EventOf<typeof DeliveryStatusChangedV1>;
export type DeliveryStatusChangedV1Payload = PayloadOf<typeof DeliveryStatusChangedV1>;
