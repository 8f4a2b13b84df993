import { messagingVariables } from '@switchboard/messaging';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  historyApiUrlVariables,
  internalRpcVariables,
  kafkaVariables,
  routingApiUrlVariables,
} from '@switchboard/platform';
import { inboxVariables } from './inbox.config.js';

/** Every variable the inbox app reads when it runs alone. */
export const InboxAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...internalRpcVariables,
    ...historyApiUrlVariables,
    ...routingApiUrlVariables,
    ...inboxVariables,
  },
  'InboxAppConfig',
);
