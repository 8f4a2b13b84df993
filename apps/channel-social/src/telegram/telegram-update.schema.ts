import { z } from 'zod';

/** Telegram's Update, as far as we read it; loose, since Telegram adds fields. */
const user = z.looseObject({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().max(500).optional(),
  last_name: z.string().max(500).optional(),
  username: z.string().max(100).optional(),
});
const file = z.looseObject({
  file_id: z.string().min(1).max(500),
  file_unique_id: z.string().max(500).optional(),
  file_size: z.number().optional(),
});

export const telegramMessageSchema = z.looseObject({
  message_id: z.number().int(),
  from: user.optional(),
  chat: z.looseObject({ id: z.number().int(), type: z.string().max(50) }),
  date: z.number().int(),
  edit_date: z.number().int().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(file.extend({ width: z.number().optional(), height: z.number().optional() })).optional(),
  document: file
    .extend({ file_name: z.string().max(500).optional(), mime_type: z.string().max(200).optional() })
    .optional(),
});
export type TelegramMessage = z.infer<typeof telegramMessageSchema>;

export const telegramUpdateSchema = z.looseObject({
  update_id: z.number().int(),
  message: telegramMessageSchema.optional(),
  edited_message: telegramMessageSchema.optional(),
});
export type TelegramUpdate = z.infer<typeof telegramUpdateSchema>;
