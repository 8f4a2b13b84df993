import { messagingVariables } from '@switchboard/messaging';
import {
  botApiUrlVariables,
  reportingApiUrlVariables,
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  historyApiUrlVariables,
  internalRpcUrlVariable,
  internalRpcVariables,
  kafkaVariables,
  routingApiUrlVariables,
} from '@switchboard/platform';
import { grpcApiVariables } from './grpc-api.config.js';

/** Where ListMessageTemplates asks channel-social (optional: without it, that RPC is UNAVAILABLE). */
export const socialChannelApiUrlVariables = {
  CHANNEL_SOCIAL_API_URL: internalRpcUrlVariable(
    'channel-social',
    'ListMessageTemplates asks it for WhatsApp templates. Unset: that call answers UNAVAILABLE (the ' +
      'social channels are not deployed).',
    { optional: true },
  ),
};

/** What the grpc-api app reads to call channel-social. */
export const SocialChannelClientConfig = defineConfig(
  { ...socialChannelApiUrlVariables, INTERNAL_API_TOKEN: internalRpcVariables.INTERNAL_API_TOKEN },
  'GrpcSocialChannelClientConfig',
);

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
    ...socialChannelApiUrlVariables,
    ...botApiUrlVariables,
    ...reportingApiUrlVariables,
  },
  'GrpcApiAppConfig',
);
