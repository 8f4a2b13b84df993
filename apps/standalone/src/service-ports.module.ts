import { Global, Module } from '@nestjs/common';
import { BotModule } from '@switchboard/app-bot';
import { SmsChannelModule } from '@switchboard/app-channel-sms';
import { SocialChannelModule } from '@switchboard/app-channel-social';
import { ChannelWebModule } from '@switchboard/app-channel-web';
import { GrpcApiModule } from '@switchboard/app-grpc-api';
import { HistoryModule } from '@switchboard/app-history';
import { ReportingModule } from '@switchboard/app-reporting';
import { RoutingModule } from '@switchboard/app-routing';

/**
 * In one process the owning modules provide the service ports (HISTORY_API, ROUTING_API,
 * WEB_CHANNEL_API, SMS_CHANNEL_API, SOCIAL_CHANNEL_API, API_KEYS_API, KNOWLEDGE_BASE_API, REPORTING_API); this makes them visible to every other module — the inbox,
 * the gRPC API, the web channel — as `InternalRpcModule.client` does when each app runs alone
 * (ADR 0004).
 */
@Global()
@Module({
  imports: [
    HistoryModule,
    RoutingModule,
    ChannelWebModule,
    SmsChannelModule,
    SocialChannelModule,
    GrpcApiModule,
    BotModule,
    ReportingModule,
  ],
  exports: [
    HistoryModule,
    RoutingModule,
    ChannelWebModule,
    SmsChannelModule,
    SocialChannelModule,
    GrpcApiModule,
    BotModule,
    ReportingModule,
  ],
})
export class ServicePortsModule {}
