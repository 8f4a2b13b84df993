import { messagingVariables } from '@switchboard/messaging';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  internalRpcVariables,
  kafkaVariables,
} from '@switchboard/platform';

/** Every variable the history app reads when it runs alone. */
export const HistoryAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...internalRpcVariables,
  },
  'HistoryAppConfig',
);
