import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import {
  apiKeysApiPort,
  historyApiPort,
  knowledgeBaseApiPort,
  reportingApiPort,
  routingApiPort,
  socialChannelApiPort,
} from '@switchboard/contracts';
import {
  BotApiClientConfig,
  ReportingApiClientConfig,
  HealthModule,
  HistoryApiClientConfig,
  InternalRpcModule,
  LoggingModule,
  PlatformConfigModule,
  RoutingApiClientConfig,
} from '@switchboard/platform';
import { GrpcApiAppConfig, SocialChannelClientConfig } from './grpc-api-app.config.js';
import { GrpcApiModule } from './grpc-api.module.js';

/**
 * The gRPC API alone, as it runs in its own pod: gRPC on GRPC_PORT, /healthz and /readyz on PORT.
 * HISTORY_API and ROUTING_API come from the internal RPC clients (ADR 0004); while a service is
 * unreachable, the RPCs that need it answer UNAVAILABLE.
 */
@Module({
  imports: [
    PlatformConfigModule.forRoot(GrpcApiAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    // History and routing in their own pods, over internal RPC (ADR 0004).
    InternalRpcModule.client(historyApiPort, HistoryApiClientConfig, 'HISTORY_API_URL'),
    InternalRpcModule.client(routingApiPort, RoutingApiClientConfig, 'ROUTING_API_URL'),
    InternalRpcModule.optionalClient(
      socialChannelApiPort,
      SocialChannelClientConfig,
      'CHANNEL_SOCIAL_API_URL',
    ),
    // KnowledgeBaseService over the bot's port, when the bot is deployed (BOT_API_URL).
    InternalRpcModule.optionalClient(knowledgeBaseApiPort, BotApiClientConfig, 'BOT_API_URL'),
    // Reports over reporting's port, when reporting is deployed (REPORTING_API_URL).
    InternalRpcModule.optionalClient(reportingApiPort, ReportingApiClientConfig, 'REPORTING_API_URL'),
    GrpcApiModule,
    // The inbox's Admin → API keys, over internal RPC (ADR 0004, like the channels' ports: ADR 0054).
    InternalRpcModule.serve(apiKeysApiPort, [GrpcApiModule]),
  ],
})
export class GrpcApiAppModule {}
