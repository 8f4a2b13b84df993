import {
  configVariable,
  coreVariables,
  defineConfig,
  encryptionVariables,
  publicUrlVariables,
  storageVariables,
} from '@switchboard/platform';
import { z } from 'zod';

const httpUrl = (value: string) =>
  URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);

export const smsChannelVariables = {
  // Shared with the social channels: one public URL per deployment.
  ...publicUrlVariables,
  TWILIO_API_BASE_URL: configVariable({
    description:
      'Base URL of the Twilio REST API the client calls. Tests and staging point it at a loopback or ' +
      'recording server; media URLs are accepted only on this origin.',
    schema: z
      .string()
      .refine(httpUrl)
      .transform((value) => value.replace(/\/+$/, '')),
    default: 'https://api.twilio.com',
    expected: 'an http(s) URL',
  }),
  TWILIO_ACCOUNT_SID: configVariable({
    description:
      'With TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER: the start creates (or updates) this number as an ' +
      'SMS channel account of the default workspace.',
    schema: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/)
      .optional(),
    expected: 'AC followed by 32 hex digits',
    example: 'AC00000000000000000000000000000000',
  }),
  TWILIO_AUTH_TOKEN: configVariable({
    description: 'Auth token of TWILIO_ACCOUNT_SID; stored encrypted (SWITCHBOARD_ENCRYPTION_KEY).',
    schema: z.string().min(8).max(200).optional(),
    expected: 'the account’s auth token',
    sensitive: true,
    example: 'your-auth-token',
  }),
  TWILIO_PHONE_NUMBER: configVariable({
    description: 'The Twilio number (E.164) of the bootstrap channel account.',
    schema: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/)
      .optional(),
    expected: 'an E.164 number such as +14155550100',
    example: '+14155550100',
  }),
};

/** What the SMS channel reads, whether alone or in the standalone process. */
export const SmsChannelConfig = defineConfig(
  { ...smsChannelVariables, ...encryptionVariables, ...storageVariables, NODE_ENV: coreVariables.NODE_ENV },
  'SmsChannelConfig',
);
