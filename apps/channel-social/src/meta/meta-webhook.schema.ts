import { z } from 'zod';

/*
 * Meta's webhook bodies, as far as we read them. Loose objects: Meta adds fields often, and an
 * unknown field must never make a message be dropped. A message whose type we don't know is kept
 * (and shown as unsupported), so `type` is any string.
 */

const id = z.string().min(1).max(500);
const media = z.looseObject({
  id,
  mime_type: z.string().max(200).optional(),
  caption: z.string().max(5000).optional(),
  filename: z.string().max(500).optional(),
});

export const whatsAppMessageSchema = z.looseObject({
  from: z.string().min(1).max(50),
  id,
  timestamp: z.string().max(20).optional(),
  type: z.string().max(50),
  text: z.looseObject({ body: z.string() }).optional(),
  image: media.optional(),
  document: media.optional(),
  audio: media.optional(),
  video: media.optional(),
  sticker: media.optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().max(1000).optional(),
      address: z.string().max(1000).optional(),
    })
    .optional(),
  contacts: z
    .array(
      z.looseObject({
        name: z.looseObject({ formatted_name: z.string().max(500).optional() }).optional(),
        phones: z.array(z.looseObject({ phone: z.string().max(100).optional() })).optional(),
      }),
    )
    .optional(),
  reaction: z
    .looseObject({ message_id: z.string().max(500).optional(), emoji: z.string().max(50).optional() })
    .optional(),
  button: z.looseObject({ text: z.string().max(1000).optional() }).optional(),
  interactive: z
    .looseObject({
      button_reply: z.looseObject({ title: z.string().max(1000) }).optional(),
      list_reply: z.looseObject({ title: z.string().max(1000) }).optional(),
    })
    .optional(),
});
export type WhatsAppMessage = z.infer<typeof whatsAppMessageSchema>;

export const metaErrorSchema = z.looseObject({
  code: z.number().optional(),
  title: z.string().max(1000).optional(),
  message: z.string().max(1000).optional(),
  error_data: z.looseObject({ details: z.string().max(1000).optional() }).optional(),
});

export const whatsAppStatusSchema = z.looseObject({
  id,
  status: z.string().max(50),
  timestamp: z.string().max(20).optional(),
  recipient_id: z.string().max(50).optional(),
  errors: z.array(metaErrorSchema).optional(),
});

export const whatsAppValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ phone_number_id: id, display_phone_number: z.string().optional() }),
  contacts: z
    .array(
      z.looseObject({
        wa_id: z.string().max(50),
        profile: z.looseObject({ name: z.string().max(500) }).optional(),
      }),
    )
    .optional(),
  messages: z.array(whatsAppMessageSchema).optional(),
  statuses: z.array(whatsAppStatusSchema).optional(),
});
export type WhatsAppValue = z.infer<typeof whatsAppValueSchema>;

const attachment = z.looseObject({
  type: z.string().max(50),
  payload: z.looseObject({ url: z.string().max(5000).optional() }).nullish(),
});

export const messagingEventSchema = z.looseObject({
  sender: z.looseObject({ id }),
  recipient: z.looseObject({ id }),
  timestamp: z.number().optional(),
  message: z
    .looseObject({
      mid: id,
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      is_deleted: z.boolean().optional(),
      is_unsupported: z.boolean().optional(),
      attachments: z.array(attachment).optional(),
    })
    .optional(),
  delivery: z.looseObject({ mids: z.array(id).optional(), watermark: z.number().optional() }).optional(),
  read: z.looseObject({ mid: id.optional(), watermark: z.number().optional() }).optional(),
  reaction: z
    .looseObject({ mid: id, action: z.string().max(20).optional(), emoji: z.string().max(50).optional() })
    .optional(),
});
export type MessagingEvent = z.infer<typeof messagingEventSchema>;

export const metaWebhookSchema = z.looseObject({
  object: z.string().max(100),
  entry: z
    .array(
      z.looseObject({
        id: z.string().max(100),
        time: z.number().optional(),
        changes: z.array(z.looseObject({ field: z.string().max(100), value: z.unknown() })).optional(),
        messaging: z.array(z.unknown()).optional(),
      }),
    )
    .max(1000),
});
export type MetaWebhookBody = z.infer<typeof metaWebhookSchema>;
