import type { SocialChannel } from '../accounts/social-account.js';

/**
 * What each provider takes, for the delivery's refusals and the inbox's composer: text length
 * (WhatsApp 4,096; Messenger 2,000; Instagram under 1,000; Telegram 4,096) and the file types
 * sent as media rather than as documents.
 */
export const SOCIAL_LIMITS: Readonly<
  Record<
    SocialChannel,
    { readonly maxTextLength: number; readonly mediaTypes: readonly string[]; readonly maxFileBytes: number }
  >
> = {
  whatsapp: {
    maxTextLength: 4_096,
    mediaTypes: ['image/jpeg', 'image/png', 'application/pdf', 'audio/ogg', 'audio/mpeg', 'video/mp4'],
    maxFileBytes: 16 * 1024 * 1024,
  },
  messenger: {
    maxTextLength: 2_000,
    mediaTypes: ['image/jpeg', 'image/png', 'image/gif', 'application/pdf', 'video/mp4', 'audio/mpeg'],
    maxFileBytes: 25 * 1024 * 1024,
  },
  instagram: {
    maxTextLength: 1_000,
    mediaTypes: ['image/jpeg', 'image/png'],
    maxFileBytes: 8 * 1024 * 1024,
  },
  telegram: {
    maxTextLength: 4_096,
    mediaTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf'],
    maxFileBytes: 50 * 1024 * 1024,
  },
};
