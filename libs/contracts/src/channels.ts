import { z } from 'zod';

export const channelSchema = z.enum(['web', 'sms', 'messenger', 'instagram', 'whatsapp', 'telegram']);
export type Channel = z.infer<typeof channelSchema>;

/**
 * What a customer identity is. A phone number is `phone` whether it arrived by SMS or WhatsApp, so
 * one person's number links across both; platform-scoped ids (Messenger PSID, Telegram user id)
 * have their own kinds because they mean nothing outside their platform.
 */
export const identityKindSchema = z.enum([
  'phone',
  'email',
  'web_visitor',
  'web_user',
  'messenger',
  'instagram',
  'whatsapp',
  'telegram',
  'external',
]);
export type IdentityKind = z.infer<typeof identityKindSchema>;

export const attachmentSchema = z.object({
  /** Where the bytes are kept: a storage key of ours, never a provider URL a client could swap. */
  storageKey: z.string().min(1).max(1000),
  contentType: z.string().min(1).max(200),
  sizeBytes: z.number().int().nonnegative(),
  fileName: z.string().max(500).optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * What an MMS carries through Twilio: JPEG, PNG and GIF are "fully supported" (resized for the
 * handset), PDF is accepted as is. Twilio uses WebP only for WhatsApp stickers.
 */
export const MMS_CONTENT_TYPES: readonly string[] = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'application/pdf',
];

/** Upper bound on message text at every boundary; channels enforce their own, smaller limits. */
export const MAX_MESSAGE_TEXT_LENGTH = 20_000;
export const messageTextSchema = z.string().max(MAX_MESSAGE_TEXT_LENGTH);

/**
 * An approved WhatsApp message template to send instead of free text: the only message WhatsApp
 * lets a business send outside the 24-hour customer-service window. `parameters` fill the body's
 * `{{1}}`, `{{2}}`, … in order. Names and language codes as Meta spells them.
 */
export const messageTemplateSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lower-case letters, digits and underscores'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'a language code such as en or en_US'),
  parameters: z.array(z.string().trim().min(1).max(1024)).max(20).default([]),
});
export type MessageTemplate = z.infer<typeof messageTemplateSchema>;

/** What an agent reads in the timeline for a template sent without text of its own. */
export function describeTemplate(template: MessageTemplate): string {
  const filled = template.parameters.length > 0 ? `: ${template.parameters.join(', ')}` : '';
  return `Template ${template.name} (${template.language})${filled}`;
}

/**
 * A secure form an outbound message asks the customer to fill (web only): `card` renders card
 * number, expiry and CVC in the widget, whose values go straight to the workspace's tokenization
 * endpoint and never into a message (ADR 0082).
 */
export const secureFormSchema = z.object({ kind: z.literal('card') });
export type SecureForm = z.infer<typeof secureFormSchema>;
