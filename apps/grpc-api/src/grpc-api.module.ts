import { Module } from '@nestjs/common';
import { API_KEYS_API } from '@switchboard/contracts';
import { DatabaseModule, HealthModule, PlatformConfigModule } from '@switchboard/platform';
import { AgentServiceHandlers } from './agents/agent-service.handlers.js';
import { ApiKeyService } from './api-keys/api-key.service.js';
import { BotServiceHandlers } from './bots/bot-service.handlers.js';
import { ExternalBotService } from './bots/external-bot.service.js';
import { ConversationServiceHandlers } from './conversations/conversation-service.handlers.js';
import { CustomerServiceHandlers } from './customers/customer-service.handlers.js';
import { EventFeedConsumer } from './events/event-feed.consumer.js';
import { EventFeedService } from './events/event-feed.service.js';
import { EventRetentionService } from './events/event-retention.service.js';
import { EventServiceHandlers } from './events/event-service.handlers.js';
import { EventStreamService } from './events/event-stream.service.js';
import { FeedNotifierService } from './events/feed-notifier.service.js';
import { GrpcApiConfig } from './grpc-api.config.js';
import { KnowledgeBaseServiceHandlers } from './knowledge-base/knowledge-base-service.handlers.js';
import { ReportServiceHandlers } from './reports/report-service.handlers.js';
import { grpcApiMigrations } from './migrations/index.js';
import { QueueServiceHandlers } from './queues/queue-service.handlers.js';
import { GrpcServerService } from './server/grpc-server.service.js';
import { OpenStreamsService } from './server/open-streams.service.js';
import { RpcHandlerFactory } from './server/rpc-handler.factory.js';

/**
 * The gRPC API for integrators, on GRPC_PORT: API keys (and their admin port, API_KEYS_API, for
 * the inbox), the seven services over the history, routing and knowledge base ports, and the event feed. The same module alone (`GrpcApiAppModule`) or in the
 * standalone process.
 */
@Module({
  imports: [
    PlatformConfigModule.forFeature(GrpcApiConfig),
    HealthModule,
    DatabaseModule.forService({ schema: 'api', migrations: grpcApiMigrations }),
  ],
  providers: [
    ApiKeyService,
    { provide: API_KEYS_API, useExisting: ApiKeyService },
    RpcHandlerFactory,
    OpenStreamsService,
    EventFeedService,
    FeedNotifierService,
    EventStreamService,
    EventFeedConsumer,
    EventRetentionService,
    ConversationServiceHandlers,
    CustomerServiceHandlers,
    AgentServiceHandlers,
    QueueServiceHandlers,
    EventServiceHandlers,
    KnowledgeBaseServiceHandlers,
    ExternalBotService,
    BotServiceHandlers,
    ReportServiceHandlers,
    GrpcServerService,
  ],
  exports: [ApiKeyService, API_KEYS_API],
})
export class GrpcApiModule {}
