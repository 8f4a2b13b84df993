/** The channels this app speaks for. */
export type SocialChannel = 'whatsapp' | 'messenger' | 'instagram' | 'telegram';
export const SOCIAL_CHANNELS: readonly SocialChannel[] = ['whatsapp', 'messenger', 'instagram', 'telegram'];

/** Credentials, opened: never logged (the logger redacts these keys), never shown once saved. */
export interface SocialSecrets {
  /** Meta: the app secret that signs webhooks (X-Hub-Signature-256). */
  readonly appSecret?: string;
  /** Meta: the WhatsApp system-user token or the page access token. */
  readonly accessToken?: string;
  /** Telegram: the bot token. */
  readonly botToken?: string;
  /** Telegram: what setWebhook's secret_token was; every update carries it back. */
  readonly webhookSecret?: string;
}

export interface SocialSettings {
  /** Messenger/Instagram: the app is approved for the HUMAN_AGENT tag (replies up to 7 days). */
  readonly humanAgentTag?: boolean;
  /** Instagram: the Facebook page it is linked to (sends go through the page). */
  readonly pageId?: string;
  /** WhatsApp: the business account (WABA) owning the number, learnt from webhooks; templates live there. */
  readonly businessAccountId?: string;
}

/**
 * One connected sender of a workspace: a WhatsApp Cloud API number (`externalId` = its phone
 * number id), a Facebook page (page id), an Instagram account (its id) or a Telegram bot (bot id).
 */
export interface SocialAccount {
  readonly id: string;
  readonly workspaceId: string;
  readonly channel: SocialChannel;
  readonly externalId: string;
  readonly displayName: string | null;
  readonly secrets: SocialSecrets;
  readonly settings: SocialSettings;
}
