import { messagingVariables } from '@switchboard/messaging';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  internalRpcVariables,
  kafkaVariables,
} from '@switchboard/platform';

/** Every variable the reporting app reads when it runs alone. */
export const ReportingAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...internalRpcVariables,
  },
  'ReportingAppConfig',
);
