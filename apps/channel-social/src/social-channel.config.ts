import {
  configVariable,
  coreVariables,
  defineConfig,
  encryptionVariables,
  httpVariables,
  storageVariables,
} from '@switchboard/platform';
import { z } from 'zod';

const httpUrl = (value: string) =>
  URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
const baseUrl = (description: string, fallback: string) =>
  configVariable({
    description,
    schema: z
      .string()
      .refine(httpUrl)
      .transform((value) => value.replace(/\/+$/, '')),
    default: fallback,
    expected: 'an http(s) URL',
  });
const optionalId = (description: string, example: string) =>
  configVariable({
    description,
    schema: z
      .string()
      .regex(/^\d{1,30}$/)
      .optional(),
    expected: 'the numeric id Meta shows',
    example,
  });
const optionalSecret = (description: string, example: string) =>
  configVariable({
    description,
    schema: z.string().min(8).max(1000).optional(),
    expected: 'the secret as Meta or Telegram shows it',
    sensitive: true,
    example,
  });

export const socialChannelVariables = {
  PUBLIC_BASE_URL: httpVariables.PUBLIC_BASE_URL,
  META_GRAPH_API_BASE_URL: baseUrl(
    'Base URL of Meta’s Graph API. Tests and staging point it at a loopback server; WhatsApp media ' +
      'URLs are fetched only from Meta’s media hosts or this origin.',
    'https://graph.facebook.com',
  ),
  META_GRAPH_API_VERSION: configVariable({
    description: 'The Graph API version every call names (Meta retires versions after about two years).',
    schema: z.string().regex(/^v\d{1,3}\.\d{1,2}$/),
    default: 'v23.0',
    expected: 'vNN.N',
  }),
  META_APP_SECRET: optionalSecret(
    'The Meta app’s secret: webhooks from Meta are accepted only with its X-Hub-Signature-256. ' +
      'Needed by the WhatsApp, Messenger and Instagram accounts the start creates.',
    'your-meta-app-secret',
  ),
  META_VERIFY_TOKEN: configVariable({
    description:
      'What you type as “Verify token” when you subscribe /webhooks/meta in Meta’s dashboard: the ' +
      'handshake answers only when it matches.',
    schema: z.string().min(8).max(200).optional(),
    expected: 'at least 8 characters of your choice',
    sensitive: true,
    example: 'a-long-random-string',
  }),
  WHATSAPP_PHONE_NUMBER_ID: optionalId(
    'With WHATSAPP_ACCESS_TOKEN and META_APP_SECRET: the start connects this WhatsApp Cloud API ' +
      'number to the default workspace (the Phone number ID in Meta’s dashboard, not the number).',
    '106540352242922',
  ),
  WHATSAPP_BUSINESS_ACCOUNT_ID: optionalId(
    'The WhatsApp Business Account (WABA) owning WHATSAPP_PHONE_NUMBER_ID: its approved message ' +
      'templates are offered when the 24-hour window is closed. Learnt from the first webhook when unset.',
    '102290129340398',
  ),
  WHATSAPP_ACCESS_TOKEN: optionalSecret(
    'Access token (a system user’s) for the WhatsApp number; stored encrypted.',
    'EAAG...',
  ),
  MESSENGER_PAGE_ID: optionalId(
    'With MESSENGER_PAGE_ACCESS_TOKEN and META_APP_SECRET: the start connects this Facebook page.',
    '102938475610293',
  ),
  MESSENGER_PAGE_ACCESS_TOKEN: optionalSecret(
    'The page’s access token (Messenger, and Instagram through the linked page); stored encrypted.',
    'EAAG...',
  ),
  INSTAGRAM_ACCOUNT_ID: optionalId(
    'With MESSENGER_PAGE_ID and its token: the start connects this Instagram professional account ' +
      '(linked to that page) as well.',
    '17841400000000000',
  ),
  TELEGRAM_BOT_TOKEN: configVariable({
    description:
      'A bot token from @BotFather: the start connects the bot to the default workspace and, with ' +
      'PUBLIC_BASE_URL, registers its webhook with a secret token. Stored encrypted.',
    schema: z
      .string()
      .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/)
      .optional(),
    expected: '<bot id>:<secret>, as @BotFather gives it',
    sensitive: true,
    example: '123456789:AAExampleExampleExampleExample',
  }),
  TELEGRAM_API_BASE_URL: baseUrl(
    'Base URL of Telegram’s Bot API (tests and staging point it at a loopback server).',
    'https://api.telegram.org',
  ),
};

/** What the social channels read, whether alone or in the standalone process. */
export const SocialChannelConfig = defineConfig(
  {
    ...socialChannelVariables,
    ...encryptionVariables,
    ...storageVariables,
    NODE_ENV: coreVariables.NODE_ENV,
  },
  'SocialChannelConfig',
);
