import { messagingVariables } from '@switchboard/messaging';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  internalRpcVariables,
  kafkaVariables,
} from '@switchboard/platform';
import { routingVariables } from './routing.config.js';

/** Every variable the routing app reads when it runs alone. */
export const RoutingAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...internalRpcVariables,
    ...routingVariables,
  },
  'RoutingAppConfig',
);
