import { messagingVariables } from '@switchboard/messaging';
import {
  attachmentStorageVariables,
  botApiUrlVariables,
  configVariable,
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  historyApiUrlVariables,
  internalRpcVariables,
  kafkaVariables,
  routingApiUrlVariables,
  storageVariables,
} from '@switchboard/platform';
import { z } from 'zod';
import { inboxVariables } from './inbox.config.js';

const channelApiUrl = (app: string) =>
  configVariable({
    description: `Base URL of the ${app} app: the admin screen's channel settings are called over internal RPC there.`,
    schema: z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
    expected: 'an http(s) URL',
    example: `http://${app}:3000`,
  });

export const channelApiUrlVariables = {
  CHANNEL_WEB_API_URL: channelApiUrl('channel-web'),
  CHANNEL_SMS_API_URL: channelApiUrl('channel-sms'),
  CHANNEL_SOCIAL_API_URL: configVariable({
    description:
      'Base URL of the channel-social app (WhatsApp, Messenger, Instagram, Telegram): the admin screen ' +
      'connects those channels over internal RPC there. Unset: the admin screen says they are not deployed.',
    schema: z
      .string()
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))
      .optional(),
    expected: 'an http(s) URL',
    example: 'http://channel-social:3000',
  }),
  GRPC_API_URL: configVariable({
    description:
      "Base URL of the grpc-api app's HTTP port: the admin screen's API keys are called over internal RPC there.",
    schema: z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
    expected: 'an http(s) URL',
    example: 'http://grpc-api:3000',
  }),
};

/** What the inbox reads to call the channels' admin ports over internal RPC. */
export const ChannelsApiClientConfig = defineConfig(
  { ...channelApiUrlVariables, INTERNAL_API_TOKEN: internalRpcVariables.INTERNAL_API_TOKEN },
  'ChannelsApiClientConfig',
);

/** What the inbox module reads, whichever way the history and routing ports are provided. */
const inboxServiceVariables = {
  ...coreVariables,
  ...httpVariables,
  ...databaseVariables,
  ...kafkaVariables,
  ...messagingVariables,
  ...inboxVariables,
  ...storageVariables,
  ...attachmentStorageVariables,
};

/** The inbox module beside ports it does not call over the network (tests compose it so). */
export const InboxServiceConfig = defineConfig(inboxServiceVariables, 'InboxServiceConfig');

/** Every variable the inbox app reads when it runs alone: the other services over internal RPC. */
export const InboxAppConfig = defineConfig(
  {
    ...inboxServiceVariables,
    ...internalRpcVariables,
    ...historyApiUrlVariables,
    ...routingApiUrlVariables,
    ...channelApiUrlVariables,
    ...botApiUrlVariables,
  },
  'InboxAppConfig',
);
