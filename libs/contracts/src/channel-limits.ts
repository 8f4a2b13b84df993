import type { Channel } from './channels.js';

export interface SocialChannelLimits {
  /** Longest text the provider takes in one message. */
  readonly maxTextLength: number;
  /** File types sent as what they are (others go as documents where the provider allows). */
  readonly mediaTypes: readonly string[];
  readonly maxFileBytes: number;
}

/**
 * What WhatsApp (4,096 characters), Messenger (2,000), Instagram (under 1,000) and Telegram (4,096)
 * take: one copy for channel-social's refusals and the inbox composer's warnings.
 */
export const SOCIAL_CHANNEL_LIMITS: Readonly<
  Record<Extract<Channel, 'whatsapp' | 'messenger' | 'instagram' | 'telegram'>, SocialChannelLimits>
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
  instagram: { maxTextLength: 999, mediaTypes: ['image/jpeg', 'image/png'], maxFileBytes: 8 * 1024 * 1024 },
  telegram: {
    maxTextLength: 4_096,
    mediaTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf'],
    maxFileBytes: 50 * 1024 * 1024,
  },
};
