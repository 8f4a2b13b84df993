import { messagingVariables } from '@switchboard/messaging';
import {
  botApiUrlVariables,
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

/** What the grpc-api module reads, whichever way the history and routing ports are provided. */
const grpcApiServiceVariables = {
  ...coreVariables,
  ...httpVariables,
  ...databaseVariables,
  ...kafkaVariables,
  ...messagingVariables,
  ...grpcApiVariables,
};

/** The grpc-api module beside ports it does not call over the network (tests compose it so). */
export const GrpcApiServiceConfig = defineConfig(grpcApiServiceVariables, 'GrpcApiServiceConfig');

/** Every variable the grpc-api app reads when it runs alone: history and routing over internal RPC. */
export const GrpcApiAppConfig = defineConfig(
  {
    ...grpcApiServiceVariables,
    ...internalRpcVariables,
    ...historyApiUrlVariables,
    ...routingApiUrlVariables,
    ...botApiUrlVariables,
  },
  'GrpcApiAppConfig',
);
