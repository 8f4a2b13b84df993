import { messagingVariables } from '@switchboard/messaging';
import {
  attachmentStorageVariables,
  coreVariables,
  databaseVariables,
  defineConfig,
  encryptionVariables,
  httpVariables,
  internalRpcVariables,
  kafkaVariables,
  storageVariables,
} from '@switchboard/platform';
import { socialChannelVariables } from './social-channel.config.js';

/** Every variable the social channels read when they run alone. */
export const ChannelSocialAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...storageVariables,
    ...attachmentStorageVariables,
    ...encryptionVariables,
    ...socialChannelVariables,
    ...internalRpcVariables,
  },
  'ChannelSocialAppConfig',
);
