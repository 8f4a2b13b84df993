import { Global, Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import {
  KNOWLEDGE_BASE_API,
  SOCIAL_CHANNEL_API,
  apiKeysApiPort,
  knowledgeBaseApiPort,
  historyApiPort,
  routingApiPort,
  smsChannelApiPort,
  socialChannelApiPort,
  webChannelApiPort,
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
import { ChannelsApiClientConfig, InboxAppConfig } from './inbox-app.config.js';
import { InboxModule } from './inbox.module.js';

/**
 * SOCIAL_CHANNEL_API from channel-social over internal RPC, or null without CHANNEL_SOCIAL_API_URL
 * (the admin screen then says the social channels are not deployed).
 */
@Global()
@Module({
  providers: [
    {
      provide: SOCIAL_CHANNEL_API,
      inject: [PlatformConfigService],
      useFactory: (config: PlatformConfigService) => {
        const { CHANNEL_SOCIAL_API_URL: baseUrl, INTERNAL_API_TOKEN: token } =
          config.get(ChannelsApiClientConfig);
        return baseUrl === undefined || token === undefined
          ? null
          : createInternalRpcClient(socialChannelApiPort, { baseUrl, token });
      },
    },
  ],
  exports: [SOCIAL_CHANNEL_API],
})
class SocialChannelClientModule {}

/**
 * KNOWLEDGE_BASE_API from the bot over internal RPC, or null without BOT_API_URL (Admin →
 * Knowledge base then says the answer bot is not deployed).
 */
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
 * The inbox alone, as it runs in its own pod. HISTORY_API, ROUTING_API, WEB_CHANNEL_API,
 * SMS_CHANNEL_API and API_KEYS_API come from the internal RPC clients of ADR 0004, bound to
 * HISTORY_API_URL, ROUTING_API_URL, CHANNEL_WEB_API_URL, CHANNEL_SMS_API_URL and GRPC_API_URL.
 */
@Module({
  imports: [
    PlatformConfigModule.forRoot(InboxAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    // History and routing in their own pods, over internal RPC (ADR 0004).
    InternalRpcModule.client(historyApiPort, HistoryApiClientConfig, 'HISTORY_API_URL'),
    InternalRpcModule.client(routingApiPort, RoutingApiClientConfig, 'ROUTING_API_URL'),
    // The channels' settings for the admin screen, from channel-web and channel-sms.
    InternalRpcModule.client(webChannelApiPort, ChannelsApiClientConfig, 'CHANNEL_WEB_API_URL'),
    InternalRpcModule.client(smsChannelApiPort, ChannelsApiClientConfig, 'CHANNEL_SMS_API_URL'),
    SocialChannelClientModule,
    // The knowledge base and the bot's channel switch for Admin → Knowledge base, from the bot.
    KnowledgeBaseClientModule,
    // Integrators' API keys for Admin → API keys, from grpc-api.
    InternalRpcModule.client(apiKeysApiPort, ChannelsApiClientConfig, 'GRPC_API_URL'),
    InboxModule,
  ],
})
export class InboxAppModule {}
