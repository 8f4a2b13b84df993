import type { Channel, MessageView } from '@switchboard/contracts';

const HOUR_MS = 60 * 60 * 1000;
const WINDOW_MS = 24 * HOUR_MS;
const LABEL = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram' } as const;

/**
 * What the agent is told about the provider's messaging window on this channel, from when the
 * customer last wrote on it (channel-social's `decideWindow` enforces the same 24-hour rule, and
 * says why when it refuses a reply); null where there is no window (web, SMS, Telegram).
 */
export function windowNotice(
  channel: Channel | null,
  messages: readonly Pick<MessageView, 'direction' | 'channel' | 'createdAt'>[],
  now = Date.now(),
): { open: boolean; text: string } | null {
  if (channel !== 'whatsapp' && channel !== 'messenger' && channel !== 'instagram') return null;
  const last = messages
    .filter((m) => m.direction === 'in' && m.channel === channel)
    .reduce<number | null>((latest, m) => Math.max(latest ?? 0, Date.parse(m.createdAt)), null);
  const label = LABEL[channel];
  const left = last === null ? 0 : last + WINDOW_MS - now;
  if (left > 0) {
    const hours = Math.floor(left / HOUR_MS);
    const minutes = Math.floor((left % HOUR_MS) / 60_000);
    return {
      open: true,
      text: `${label} window open for ${hours} h ${minutes} min (24 h after the customer’s last message).`,
    };
  }
  return {
    open: false,
    text:
      channel === 'whatsapp'
        ? 'The WhatsApp window is closed: more than 24 hours since the customer wrote, only an approved template can be sent.'
        : `The ${label} window is closed: a reply goes only with the human agent tag (up to 7 days), where the page has it.`,
  };
}
