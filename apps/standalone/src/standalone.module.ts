import { Module, type DynamicModule } from '@nestjs/common';
import { BotModule } from '@switchboard/app-bot';
import { SmsChannelModule } from '@switchboard/app-channel-sms';
import { SocialChannelModule } from '@switchboard/app-channel-social';
import { ChannelWebModule } from '@switchboard/app-channel-web';
import { GrpcApiModule } from '@switchboard/app-grpc-api';
import { HistoryModule } from '@switchboard/app-history';
import { ReportingModule } from '@switchboard/app-reporting';
import { RoutingModule } from '@switchboard/app-routing';
import { InboxModule } from '@switchboard/app-inbox';
import { MessagingModule } from '@switchboard/messaging';
import { type Environment, HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { ServicePortsModule } from './service-ports.module.js';
import { StandaloneConfig } from './standalone.config.js';

/**
 * Every service's module in one process: the same modules the apps run alone, on one config,
 * one event bus and one HTTP server. Adding a service here is adding its module.
 */
@Module({})
export class StandaloneModule {
  static forRoot(overrides: Environment = {}): DynamicModule {
    return {
      module: StandaloneModule,
      imports: [
        PlatformConfigModule.forRoot(StandaloneConfig, { overrides }),
        LoggingModule,
        HealthModule,
        MessagingModule.forRoot(),
        HistoryModule,
        ServicePortsModule,
        SmsChannelModule,
        SocialChannelModule,
        RoutingModule,
        ChannelWebModule,
        GrpcApiModule,
        InboxModule,
        BotModule,
        ReportingModule,
      ],
    };
  }
}
