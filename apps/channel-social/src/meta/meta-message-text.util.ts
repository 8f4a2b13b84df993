import type { MessagingEvent, WhatsAppMessage } from './meta-webhook.schema.js';

/** WhatsApp's media message types, and where each keeps its media object. */
export const WHATSAPP_MEDIA_TYPES = ['image', 'document', 'audio', 'video', 'sticker'] as const;
export type WhatsAppMediaType = (typeof WHATSAPP_MEDIA_TYPES)[number];

/**
 * What the agent reads for a WhatsApp message: its text, a caption, or a plain rendering of a
 * location, contact card or reaction. A type we don't know is shown as unsupported, never dropped.
 */
export function whatsAppText(message: WhatsAppMessage): { text: string | null; unsupported: boolean } {
  switch (message.type) {
    case 'text':
      return { text: message.text?.body ?? null, unsupported: false };
    case 'image':
    case 'document':
    case 'audio':
    case 'video':
    case 'sticker':
      return { text: message[message.type]?.caption ?? null, unsupported: false };
    case 'location': {
      const place = message.location;
      if (!place) break;
      const label = [place.name, place.address].filter(Boolean).join(', ');
      return {
        text: `📍 ${label === '' ? 'Location' : label} (${place.latitude}, ${place.longitude}) https://www.openstreetmap.org/?mlat=${place.latitude}&mlon=${place.longitude}`,
        unsupported: false,
      };
    }
    case 'contacts': {
      const cards = (message.contacts ?? []).map((card) =>
        [card.name?.formatted_name, ...(card.phones ?? []).map((p) => p.phone)].filter(Boolean).join(' '),
      );
      return { text: `👤 Shared contact: ${cards.join('; ') || 'no details'}`, unsupported: false };
    }
    case 'reaction': {
      const emoji = message.reaction?.emoji;
      return {
        text: emoji ? `Reacted ${emoji} to a message` : 'Removed a reaction',
        unsupported: false,
      };
    }
    case 'button':
      return { text: message.button?.text ?? null, unsupported: false };
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      return { text: reply?.title ?? null, unsupported: false };
    }
    default:
      break;
  }
  return { text: `[Unsupported WhatsApp message: ${message.type}]`, unsupported: true };
}

/** The same for a Messenger or Instagram message. */
export function messagingText(
  event: MessagingEvent,
  platform: 'Messenger' | 'Instagram',
): { text: string | null; unsupported: boolean } {
  const message = event.message;
  if (!message) {
    if (event.reaction)
      return {
        text:
          event.reaction.action === 'unreact'
            ? 'Removed a reaction'
            : `Reacted ${event.reaction.emoji ?? ''} to a message`.replace('  ', ' '),
        unsupported: false,
      };
    return { text: null, unsupported: true };
  }
  if (message.is_unsupported) return { text: `[Unsupported ${platform} message]`, unsupported: true };
  const extra = (message.attachments ?? [])
    .filter((a) => !['image', 'video', 'audio', 'file'].includes(a.type))
    .map((a) => `[${platform} ${a.type}]`);
  const parts = [message.text, ...extra].filter((p): p is string => p !== undefined && p !== '');
  return { text: parts.length > 0 ? parts.join('\n') : null, unsupported: false };
}
