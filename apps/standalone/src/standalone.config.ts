import { smsChannelVariables } from '@switchboard/app-channel-sms';
import { inboxVariables } from '@switchboard/app-inbox';
import { messagingVariables } from '@switchboard/messaging';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  encryptionVariables,
  httpVariables,
  kafkaVariables,
  storageVariables,
} from '@switchboard/platform';

/** Every variable the whole platform in one process reads. */
export const StandaloneConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...storageVariables,
    ...encryptionVariables,
    ...smsChannelVariables,
    ...inboxVariables,
  },
  'StandaloneConfig',
);
