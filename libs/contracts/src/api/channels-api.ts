import { methodsOf, type ServicePort } from './service-ports.js';

/**
 * The channels' admin interfaces, for the inbox's admin screen: the web channel's widget settings
 * (`WebChannelApi`, owned by channel-web) and the SMS channel's Twilio numbers (`SmsChannelApi`,
 * owned by channel-sms). Two ports because two apps own them and each serves only its own over
 * internal RPC (ADR 0004). Scoped by workspace like the other ports: another workspace's ids throw
 * NotFoundError; bad input throws InvalidArgumentError naming the fields.
 */
export interface WebChannelApi {
  /** The workspace's widget settings, created with defaults (a fresh key and secret) on first use. */
  getWidgetSettings(workspaceId: string): Promise<WidgetSettingsView>;
  /** Changes the fields given; the appearance is merged field by field at its top level. */
  updateWidgetSettings(workspaceId: string, patch: WidgetSettingsPatch): Promise<WidgetSettingsView>;
  /** A new identity secret: user hashes signed with the old one stop verifying at once. */
  rotateWidgetIdentitySecret(workspaceId: string): Promise<WidgetSettingsView>;
}

export interface SmsChannelApi {
  /** The workspace's Twilio senders, by phone number. Never the auth tokens. */
  listSmsNumbers(workspaceId: string): Promise<SmsNumberView[]>;
  /**
   * Adds the number, or updates its credentials when the workspace has it already (an absent
   * `authToken` keeps the stored one; a new number needs it). A number of another workspace is
   * AlreadyExistsError: a number routes inbound messages to exactly one workspace.
   */
  upsertSmsNumber(workspaceId: string, input: SmsNumberInput): Promise<SmsNumberView>;
  /** Inbound messages to the number stop reaching the workspace; its conversations stay in history. */
  removeSmsNumber(workspaceId: string, numberId: string): Promise<void>;
}

/** DI tokens under which the channel modules (in process) or the RPC clients (remote) provide the ports. */
export const WEB_CHANNEL_API = Symbol.for('switchboard.WebChannelApi');
export const SMS_CHANNEL_API = Symbol.for('switchboard.SmsChannelApi');

export type WidgetPosition = 'right' | 'left';
export type WidgetLanguage = 'en' | 'fr' | 'de' | 'es';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface WidgetAppearanceView {
  theme: {
    /** `#rrggbb`. */
    color: string;
    position: WidgetPosition;
    language: WidgetLanguage;
    title: string;
    greeting: string;
  };
  /** Asked before the first message; empty: no form. */
  prechatFields: { name: 'name' | 'email'; required: boolean }[];
  /** Null: always open. Intervals are local `HH:MM` times in `timeZone` (IANA). */
  businessHours: {
    timeZone: string;
    weekly: Partial<Record<Weekday, { from: string; to: string }[]>>;
  } | null;
  offlineMessage: string;
  offlineWhenNoAgentOnline: boolean;
  /** The payment provider's tokenization endpoint the widget's card form posts to (ADR 0082); absent or null: none. */
  cardTokenizationUrl?: string | null;
}

export interface WidgetSettingsView {
  workspaceId: string;
  /** Public: the embed tag's `data-workspace`. */
  widgetKey: string;
  /** Pages on these origins may open the widget. */
  allowedOrigins: string[];
  /** For HMAC-SHA256(user id) on the site's server: admins only, never logged. */
  identitySecret: string;
  appearance: WidgetAppearanceView;
  updatedAt: string;
}

export interface WidgetSettingsPatch {
  allowedOrigins?: string[];
  appearance?: Partial<WidgetAppearanceView>;
}

export interface SmsNumberInput {
  /** E.164 (or a form `toE164` normalizes). */
  phoneNumber: string;
  /** `AC` + 32 hex digits. */
  accountSid: string;
  /** Required for a new number; absent on an update: the stored token stays. Sealed at rest. */
  authToken?: string;
  /** `MG` + 32 hex digits, or null. */
  messagingServiceSid?: string | null;
  /** What HELP answers; null: the default. */
  helpText?: string | null;
}

export interface SmsNumberView {
  id: string;
  workspaceId: string;
  phoneNumber: string;
  accountSid: string;
  messagingServiceSid: string | null;
  helpText: string | null;
  /** The token itself never leaves channel-sms. */
  authTokenSet: true;
  updatedAt: string;
}

export const webChannelApiPort: ServicePort<WebChannelApi> = {
  name: 'channel-web',
  token: WEB_CHANNEL_API,
  methods: methodsOf<WebChannelApi>({
    getWidgetSettings: true,
    updateWidgetSettings: true,
    rotateWidgetIdentitySecret: true,
  }),
};

export const smsChannelApiPort: ServicePort<SmsChannelApi> = {
  name: 'channel-sms',
  token: SMS_CHANNEL_API,
  methods: methodsOf<SmsChannelApi>({ listSmsNumbers: true, upsertSmsNumber: true, removeSmsNumber: true }),
};

/**
 * The social channels' admin interface (`SocialChannelApi`, owned by channel-social): the
 * workspace's WhatsApp numbers, Facebook pages, Instagram accounts and Telegram bots. Secrets go in
 * and never come out; each channel shows its webhook URL and health (ADR 0054, 0070).
 */
export interface SocialChannelApi {
  listSocialChannels(workspaceId: string): Promise<SocialChannelView[]>;
  /**
   * Connects the channel, or updates it when the workspace has it already (absent secrets keep the
   * stored ones). One that another workspace holds is AlreadyExistsError. A Telegram bot is checked
   * with getMe and its webhook registered with a fresh secret token.
   */
  connectSocialChannel(workspaceId: string, input: SocialChannelInput): Promise<SocialChannelView>;
  removeSocialChannel(workspaceId: string, channelId: string): Promise<void>;
  /**
   * The approved message templates of a WhatsApp channel's business account (WABA), asked of the
   * Graph API: what may be sent once the 24-hour window has closed. `channelId` absent: the
   * workspace's default WhatsApp number. NotFoundError for no such WhatsApp channel,
   * FailedPreconditionError while its business account is unknown, UnavailableError when Meta
   * cannot be asked.
   */
  listMessageTemplates(workspaceId: string, channelId?: string): Promise<MessageTemplateView[]>;
}

/** One approved WhatsApp template, as the composer and gRPC offer it. */
export interface MessageTemplateView {
  name: string;
  /** Meta's language code, e.g. `en_US`. */
  language: string;
  /** MARKETING, UTILITY or AUTHENTICATION. */
  category: string;
  /** The body text with its `{{1}}`, `{{2}}` … placeholders. */
  body: string;
  /** How many parameters the body takes. */
  parameterCount: number;
}

export const SOCIAL_CHANNEL_API = Symbol.for('switchboard.SocialChannelApi');

export type SocialChannelKind = 'whatsapp' | 'messenger' | 'instagram' | 'telegram';

export interface SocialChannelInput {
  channel: SocialChannelKind;
  /** WhatsApp: the phone number id; Messenger: the page id; Instagram: the account id. Not for Telegram (the token names the bot). */
  externalId?: string;
  /** Meta: the access token (system user's, or the page's). */
  accessToken?: string;
  /** Meta: the app secret that signs webhooks. */
  appSecret?: string;
  /** Telegram: the bot token. */
  botToken?: string;
  /** Instagram: the linked page's id. */
  pageId?: string;
  /** Messenger/Instagram: the app is approved for the HUMAN_AGENT tag. */
  humanAgentTag?: boolean;
  /** WhatsApp: the business account (WABA) owning the number, whose templates are offered. */
  businessAccountId?: string;
  /** Meta: this account's own `hub.verify_token` for the webhook subscription; never shown again. */
  verifyToken?: string;
}

export interface SocialChannelView {
  id: string;
  workspaceId: string;
  channel: SocialChannelKind;
  externalId: string;
  displayName: string | null;
  /** Where the provider must send webhooks (under PUBLIC_BASE_URL when set, else a path). */
  webhookUrl: string;
  humanAgentTag: boolean;
  /** WhatsApp: the business account whose templates are offered; null until known. */
  businessAccountId: string | null;
  /** The secrets themselves never leave channel-social. */
  secretsSet: true;
  /** Meta: whether the account has its own verify token (else META_VERIFY_TOKEN answers). */
  verifyTokenSet: boolean;
  lastWebhookAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  updatedAt: string;
}

export const socialChannelApiPort: ServicePort<SocialChannelApi> = {
  name: 'channel-social',
  token: SOCIAL_CHANNEL_API,
  methods: methodsOf<SocialChannelApi>({
    listSocialChannels: true,
    connectSocialChannel: true,
    removeSocialChannel: true,
    listMessageTemplates: true,
  }),
};
