import { botVariables } from '@switchboard/app-bot';
import { smsChannelVariables } from '@switchboard/app-channel-sms';
import { socialChannelVariables } from '@switchboard/app-channel-social';
import { routingVariables } from '@switchboard/app-routing';
import { grpcApiVariables } from '@switchboard/app-grpc-api';
import { inboxVariables } from '@switchboard/app-inbox';
import { messagingVariables } from '@switchboard/messaging';
import {
  attachmentStorageVariables,
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
    ...attachmentStorageVariables,
    ...encryptionVariables,
    ...smsChannelVariables,
    ...socialChannelVariables,
    ...routingVariables,
    ...grpcApiVariables,
    ...inboxVariables,
    ...botVariables,
  },
  'StandaloneConfig',
);
