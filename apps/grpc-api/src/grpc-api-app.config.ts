import { messagingVariables } from '@switchboard/messaging';
import {
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  kafkaVariables,
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
    ...grpcApiVariables,
  },
  'GrpcApiAppConfig',
);
