import { messagingVariables } from '@switchboard/messaging';
import {
  configVariable,
  coreVariables,
  databaseVariables,
  defineConfig,
  httpVariables,
  historyApiUrlVariables,
  internalRpcVariables,
  kafkaVariables,
  routingApiUrlVariables,
} from '@switchboard/platform';
import { z } from 'zod';
import { grpcApiVariables } from './grpc-api.config.js';

/** Where ListMessageTemplates asks channel-social (optional: without it, that RPC is UNAVAILABLE). */
export const socialChannelApiUrlVariables = {
  CHANNEL_SOCIAL_API_URL: configVariable({
    description:
      'Base URL of the channel-social app: ListMessageTemplates asks it for WhatsApp templates over ' +
      'internal RPC. Unset: that call answers UNAVAILABLE (the social channels are not deployed).',
    schema: z
      .string()
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))
      .optional(),
    expected: 'an http(s) URL',
    example: 'http://channel-social:3000',
  }),
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
  },
  'GrpcApiAppConfig',
);
