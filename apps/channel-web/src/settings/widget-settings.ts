import { z } from 'zod';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export { WEEKDAYS };

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM');

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Europe/Paris');

export const businessHoursSchema = z.object({
  timeZone,
  /** Open intervals per weekday, local time; a day absent or empty is closed. */
  weekly: z.partialRecord(
    z.enum(WEEKDAYS),
    z
      .array(z.object({ from: clockTime, to: clockTime }).refine((i) => i.from < i.to, 'from before to'))
      .max(6),
  ),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;

export const prechatFieldSchema = z.object({
  name: z.enum(['name', 'email']),
  required: z.boolean(),
});

export const widgetLanguageSchema = z.enum(['en', 'fr', 'de', 'es']);

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where the widget posts card details to be tokenized (ADR 0082): https, or http to a loopback
 * host (a developer's or a test's fake); no credentials, query or fragment in it.
 */
export const tokenizationUrlSchema = z
  .string()
  .max(500)
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  }, 'an https URL without credentials, query or fragment (http only to localhost)');

/** What an admin sets for a workspace's widget, besides its origins and secret. */
export const widgetAppearanceSchema = z.object({
  theme: z.object({
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb'),
    position: z.enum(['right', 'left']),
    language: widgetLanguageSchema,
    title: z.string().min(1).max(80),
    greeting: z.string().max(300),
  }),
  /** Asked before the first message; empty: no form. */
  prechatFields: z.array(prechatFieldSchema).max(2),
  /** Null: always open. */
  businessHours: businessHoursSchema.nullable(),
  /** Outside business hours (or with no agent online) the widget shows the offline form with this text. */
  offlineMessage: z.string().min(1).max(500),
  /** Show the offline form when routing reports no agent online, even within business hours. */
  offlineWhenNoAgentOnline: z.boolean(),
  /**
   * The payment provider's tokenization endpoint the card form posts to; absent or null: agents
   * can't ask for card details (ADR 0082).
   */
  cardTokenizationUrl: tokenizationUrlSchema.nullable().optional(),
});
export type WidgetAppearance = z.infer<typeof widgetAppearanceSchema>;

export const DEFAULT_APPEARANCE: WidgetAppearance = {
  theme: {
    color: '#2563eb',
    position: 'right',
    language: 'en',
    title: 'Chat with us',
    greeting: 'Hi! Ask us anything, we usually answer within minutes.',
  },
  prechatFields: [
    { name: 'name', required: false },
    { name: 'email', required: false },
  ],
  businessHours: null,
  offlineMessage: 'We are away right now. Leave us a message and we will get back to you by email.',
  offlineWhenNoAgentOnline: false,
};

const origin = z
  .string()
  .max(300)
  .refine(
    (value) => URL.canParse(value) && new URL(value).origin === value && value.startsWith('http'),
    'an origin such as https://www.example.com (scheme, host and port only)',
  );

/** What the admin screen may change; each field optional. */
export const widgetSettingsPatchSchema = z.object({
  allowedOrigins: z.array(origin).max(50).optional(),
  appearance: widgetAppearanceSchema.partial().optional(),
});
export type WidgetSettingsPatch = z.input<typeof widgetSettingsPatchSchema>;

/** A workspace's widget settings as the admin screen sees them. */
export interface WidgetSettingsView {
  workspaceId: string;
  /** Public: goes in the embed tag's `data-workspace`. */
  widgetKey: string;
  /** Pages on these origins may open the widget; empty: none (the demo page's own origin is always allowed). */
  allowedOrigins: string[];
  /** For HMAC-SHA256(user id) on the site's server; show it to admins only. */
  identitySecret: string;
  appearance: WidgetAppearance;
  updatedAt: string;
}

/** What a page that embeds the widget may learn: no secret, no origins. */
export interface PublicWidgetConfig {
  theme: WidgetAppearance['theme'];
  prechatFields: WidgetAppearance['prechatFields'];
  offlineMessage: string;
  /** Where the card form posts; null: no card form. */
  cardTokenizationUrl: string | null;
}
