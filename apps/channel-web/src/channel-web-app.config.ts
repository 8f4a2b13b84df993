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

/** Every variable the web channel reads when it runs alone. */
export const ChannelWebAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...storageVariables,
    ...attachmentStorageVariables,
    ...encryptionVariables,
    ...internalRpcVariables,
  },
  'ChannelWebAppConfig',
);
