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

/** What the inbox module reads, whichever way the history and routing ports are provided. */
const inboxServiceVariables = {
  ...coreVariables,
  ...httpVariables,
  ...databaseVariables,
  ...kafkaVariables,
  ...messagingVariables,
  ...inboxVariables,
};

/** The inbox module beside ports it does not call over the network (tests compose it so). */
export const InboxServiceConfig = defineConfig(inboxServiceVariables, 'InboxServiceConfig');

/** Every variable the inbox app reads when it runs alone: history and routing over internal RPC. */
export const InboxAppConfig = defineConfig(
  {
    ...inboxServiceVariables,
    ...internalRpcVariables,
    ...historyApiUrlVariables,
    ...routingApiUrlVariables,
  },
  'InboxAppConfig',
);
