import { messagingVariables } from '@switchboard/messaging';
import {
  attachmentStorageVariables,
  botApiUrlVariables,
  reportingApiUrlVariables,
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  historyApiUrlVariables,
  internalRpcClientVariables,
  internalRpcUrlVariable,
  kafkaVariables,
  routingApiUrlVariables,
  storageVariables,
} from '@switchboard/platform';
import { inboxVariables } from './inbox.config.js';

export const channelApiUrlVariables = {
  CHANNEL_WEB_API_URL: internalRpcUrlVariable('channel-web', "the admin screen's web channel settings."),
  CHANNEL_SMS_API_URL: internalRpcUrlVariable('channel-sms', "the admin screen's SMS channel settings."),
  CHANNEL_SOCIAL_API_URL: internalRpcUrlVariable(
    'channel-social',
    'the admin screen connects WhatsApp, Messenger, Instagram and Telegram there. Unset: the admin ' +
      'screen says those channels are not deployed.',
    { optional: true },
  ),
  GRPC_API_URL: internalRpcUrlVariable('grpc-api', "the admin screen's API keys."),
};

/** What the inbox reads to call the channels' admin ports over internal RPC. */
export const ChannelsApiClientConfig = defineConfig(
  { ...channelApiUrlVariables, ...internalRpcClientVariables },
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
    ...internalRpcClientVariables,
    ...historyApiUrlVariables,
    ...routingApiUrlVariables,
    ...channelApiUrlVariables,
    ...botApiUrlVariables,
    ...reportingApiUrlVariables,
  },
  'InboxAppConfig',
);
