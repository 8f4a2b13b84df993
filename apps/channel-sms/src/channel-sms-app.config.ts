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
import { smsChannelVariables } from './sms-channel.config.js';

/** Every variable the SMS channel reads when it runs alone. */
export const ChannelSmsAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...storageVariables,
    ...attachmentStorageVariables,
    ...encryptionVariables,
    ...smsChannelVariables,
    ...internalRpcVariables,
  },
  'ChannelSmsAppConfig',
);
