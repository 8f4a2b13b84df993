import { messagingVariables } from '@switchboard/messaging';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
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
  },
  'StandaloneConfig',
);
