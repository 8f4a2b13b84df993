import type { Channel } from './channels.js';

/** The channels whose provider limits when a business may write. */
export type WindowedChannel = Extract<Channel, 'whatsapp' | 'messenger' | 'instagram' | 'telegram'>;

const HOUR_MS = 60 * 60 * 1000;
/** WhatsApp's customer-service window, and Messenger/Instagram's standard messaging window. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * HOUR_MS;
/** Messenger/Instagram's HUMAN_AGENT tag: replies by a person up to 7 days after the customer wrote. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;

/** How a reply may go now, given when the customer last wrote. */
export type WindowDecision =
  | { readonly kind: 'open'; readonly closesAt: Date }
  /** Messenger/Instagram past 24 h, the page approved for HUMAN_AGENT: sent with the tag. */
  | { readonly kind: 'human_agent'; readonly closesAt: Date }
  /** WhatsApp past 24 h: an approved template only. */
  | { readonly kind: 'template_only' }
  | { readonly kind: 'closed'; readonly code: string; readonly message: string };

/**
 * The provider's rule on when a business may write to a customer (Meta's, channel-protocols):
 * free-form inside 24 hours of the customer's last message (our own messages never reopen it);
 * after that, WhatsApp takes only templates, Messenger and Instagram only the HUMAN_AGENT tag up to
 * 7 days when the page has it. Telegram has no window. Pure, so history's refusal before it
 * accepts a reply, the inbox's countdown and the delivery's refusal come from one rule.
 */
export function decideWindow(
  channel: WindowedChannel,
  lastInboundAt: Date | null,
  now: Date,
  options: { readonly humanAgentTag: boolean },
): WindowDecision {
  if (channel === 'telegram') return { kind: 'open', closesAt: new Date(8.64e15) };
  const since = lastInboundAt === null ? Number.POSITIVE_INFINITY : now.getTime() - lastInboundAt.getTime();
  if (lastInboundAt !== null && since < CUSTOMER_SERVICE_WINDOW_MS)
    return { kind: 'open', closesAt: new Date(lastInboundAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS) };
  if (channel === 'whatsapp') return { kind: 'template_only' };
  if (options.humanAgentTag && lastInboundAt !== null && since < HUMAN_AGENT_WINDOW_MS)
    return { kind: 'human_agent', closesAt: new Date(lastInboundAt.getTime() + HUMAN_AGENT_WINDOW_MS) };
  const platform = channel === 'instagram' ? 'Instagram' : 'Messenger';
  return {
    kind: 'closed',
    code: 'window_closed',
    message:
      lastInboundAt === null
        ? `${platform} lets a business write only after the customer wrote first.`
        : options.humanAgentTag
          ? `The customer last wrote more than 7 days ago: ${platform} allows no reply until they write again.`
          : `The customer last wrote more than 24 hours ago: ${platform} allows no reply until they write again (the page is not approved for the human agent tag).`,
  };
}
