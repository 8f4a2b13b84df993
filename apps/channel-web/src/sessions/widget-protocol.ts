import { z } from 'zod';
import type { PublicWidgetConfig } from '../settings/widget-settings.js';
import type { TranscriptItem } from '../transcript/transcript-item.js';

/** Longest text a visitor may send in one message (the inbox shows it whole). */
export const MAX_WIDGET_TEXT = 4_000;
/** Largest WebSocket frame accepted from a widget; anything bigger closes the socket (1009). */
export const MAX_FRAME_BYTES = 16 * 1024;

const text = z.string().trim().min(1).max(MAX_WIDGET_TEXT);

/** The card brands the widget tells apart by number prefix. */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'other'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];
const optionalName = z.string().trim().min(1).max(200).optional();

/**
 * A signed user's id, email and phone: what the site's HMAC covers (ADR 0042). None may hold a
 * control character, so the line-feed-joined string the site signs is unambiguous.
 */
export const signedUserSchema = z.object({
  id: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((id) => ![...id].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), {
      message: 'no control characters',
    }),
  hash: z.string().max(128),
  email: z.email().max(300).optional(),
  phone: z
    .string()
    .regex(/^[+0-9 ().-]{1,40}$/, 'digits, spaces, + ( ) . - only')
    .optional(),
});

/** Everything a widget may send over its socket; anything else is answered with an error. */
export const clientMessageSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('hello'),
    token: z.string().max(200).optional(),
    user: signedUserSchema.extend({ name: optionalName }).optional(),
    /** The last seq this tab has: replay everything after it. Absent: a fresh page, show recent history. */
    since: z.number().int().nonnegative().optional(),
  }),
  z.object({
    t: z.literal('msg'),
    id: z.uuid(),
    text: text.optional(),
    attachments: z.array(z.uuid()).max(5).optional(),
  }),
  z.object({
    t: z.literal('offline'),
    id: z.uuid(),
    name: optionalName,
    email: z.email().max(300),
    text,
  }),
  z.object({ t: z.literal('prechat'), name: optionalName, email: z.email().max(300).optional() }),
  z.object({ t: z.literal('typing'), typing: z.boolean() }),
  z.object({ t: z.literal('read'), seq: z.number().int().positive() }),
  z.object({
    t: z.literal('csat'),
    conversationId: z.uuid(),
    rating: z.number().int().min(1).max(5),
    comment: z.string().trim().max(2000).optional(),
  }),
  /**
   * The customer filled a card form (ADR 0082): what the tokenization endpoint answered and the
   * card's last four digits and brand; never the number itself.
   */
  z.object({
    t: z.literal('card'),
    id: z.uuid(),
    /** The id of the reply that asked for the form. */
    formId: z.string().min(1).max(200),
    token: z
      .string()
      .min(1)
      .max(500)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII')
      .refine((token) => !/\d{12}/.test(token), 'a token, not a card number'),
    last4: z.string().regex(/^\d{4}$/),
    brand: z.enum(CARD_BRANDS),
  }),
  z.object({ t: z.literal('resume'), since: z.number().int().nonnegative() }),
  z.object({ t: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type HelloMessage = Extract<ClientMessage, { t: 'hello' }>;

/** Error codes a widget can act on. */
export type WidgetErrorCode =
  'bad_request' | 'not_ready' | 'rate_limited' | 'identity_invalid' | 'unavailable' | 'attachment_invalid';

/** WebSocket close codes the widget understands: don't reconnect on these. */
export const CLOSE_ORIGIN_REFUSED = 4003;
export const CLOSE_UNKNOWN_WIDGET = 4004;
export const CLOSE_IDENTITY_INVALID = 4001;

/**
 * Everything the server sends a widget over its socket. The widget's panel imports this type (a
 * type-only import: nothing of the server reaches its bundle), so both ends read one definition.
 */
export type ServerMessage =
  | {
      t: 'welcome';
      token?: string;
      contact: { name: string | null; email: string | null; verified: boolean };
      config: PublicWidgetConfig;
      online: boolean;
      lastSeq: number;
      after: number;
    }
  | { t: 'item'; item: TranscriptItem }
  | { t: 'ack'; id: string; seq: number }
  | { t: 'error'; code: WidgetErrorCode; message: string; id?: string; retryAfterMs?: number }
  | { t: 'typing'; name: string | null; typing: boolean }
  | { t: 'seen'; upToSeq: number }
  | { t: 'read'; upToSeq: number }
  | { t: 'profile'; name: string | null; email: string | null }
  | { t: 'csat-ok'; conversationId: string }
  | { t: 'pong' };
