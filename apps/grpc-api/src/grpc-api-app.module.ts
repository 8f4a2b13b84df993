import { Global, Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import {
  KNOWLEDGE_BASE_API,
  apiKeysApiPort,
  historyApiPort,
  knowledgeBaseApiPort,
  routingApiPort,
} from '@switchboard/contracts';
import {
  BotApiClientConfig,
  HealthModule,
  HistoryApiClientConfig,
  InternalRpcModule,
  LoggingModule,
  PlatformConfigModule,
  PlatformConfigService,
  RoutingApiClientConfig,
  createInternalRpcClient,
} from '@switchboard/platform';
import { GrpcApiAppConfig } from './grpc-api-app.config.js';
import { GrpcApiModule } from './grpc-api.module.js';

/** KNOWLEDGE_BASE_API from the bot over internal RPC, or null without BOT_API_URL. */
@Global()
@Module({
  providers: [
    {
      provide: KNOWLEDGE_BASE_API,
      inject: [PlatformConfigService],
      useFactory: (config: PlatformConfigService) => {
        const { BOT_API_URL: baseUrl, INTERNAL_API_TOKEN: token } = config.get(BotApiClientConfig);
        return baseUrl === undefined || token === undefined
          ? null
          : createInternalRpcClient(knowledgeBaseApiPort, { baseUrl, token });
      },
    },
  ],
  exports: [KNOWLEDGE_BASE_API],
})
class KnowledgeBaseClientModule {}

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
    // KnowledgeBaseService over the bot's port, when the bot is deployed (BOT_API_URL).
    KnowledgeBaseClientModule,
    GrpcApiModule,
    // The inbox's Admin → API keys, over internal RPC (ADR 0004, like the channels' ports: ADR 0054).
    InternalRpcModule.serve(apiKeysApiPort, [GrpcApiModule]),
  ],
})
export class GrpcApiAppModule {}
