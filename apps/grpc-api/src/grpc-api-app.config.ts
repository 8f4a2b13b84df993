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
import { grpcApiVariables } from './grpc-api.config.js';

/** Every variable the gRPC API reads when it runs alone. */
export const GrpcApiAppConfig = defineConfig(
  {
    ...coreVariables,
    ...httpVariables,
    ...databaseVariables,
    ...kafkaVariables,
    ...messagingVariables,
    ...internalRpcVariables,
    ...historyApiUrlVariables,
    ...routingApiUrlVariables,
    ...grpcApiVariables,
  },
  'GrpcApiAppConfig',
);
