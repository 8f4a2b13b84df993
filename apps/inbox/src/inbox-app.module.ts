import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import {
  apiKeysApiPort,
  knowledgeBaseApiPort,
  reportingApiPort,
  historyApiPort,
  routingApiPort,
  smsChannelApiPort,
  socialChannelApiPort,
  webChannelApiPort,
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
import { ChannelsApiClientConfig, InboxAppConfig } from './inbox-app.config.js';
import { InboxModule } from './inbox.module.js';

/**
 * The inbox alone, as it runs in its own pod. HISTORY_API, ROUTING_API, WEB_CHANNEL_API,
 * SMS_CHANNEL_API, SOCIAL_CHANNEL_API and API_KEYS_API come from the internal RPC clients of ADR
 * 0004, bound to HISTORY_API_URL, ROUTING_API_URL, CHANNEL_WEB_API_URL, CHANNEL_SMS_API_URL,
 * CHANNEL_SOCIAL_API_URL (null while unset: the admin screen says the social channels are not
 * deployed) and GRPC_API_URL.
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
    InternalRpcModule.optionalClient(socialChannelApiPort, ChannelsApiClientConfig, 'CHANNEL_SOCIAL_API_URL'),
    // The knowledge base and the bot's channel switch for Admin → Knowledge base, from the bot.
    InternalRpcModule.optionalClient(knowledgeBaseApiPort, BotApiClientConfig, 'BOT_API_URL'),
    // Reports over reporting's port, when reporting is deployed (REPORTING_API_URL).
    InternalRpcModule.optionalClient(reportingApiPort, ReportingApiClientConfig, 'REPORTING_API_URL'),
    // Integrators' API keys for Admin → API keys, from grpc-api.
    InternalRpcModule.client(apiKeysApiPort, ChannelsApiClientConfig, 'GRPC_API_URL'),
    InboxModule,
  ],
})
export class InboxAppModule {}
