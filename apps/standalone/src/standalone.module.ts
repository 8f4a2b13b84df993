import { Module, type DynamicModule } from '@nestjs/common';
import { SmsChannelModule } from '@switchboard/app-channel-sms';
import { HistoryModule } from '@switchboard/app-history';
import { InboxModule } from '@switchboard/app-inbox';
import { MessagingModule } from '@switchboard/messaging';
import { type Environment, HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
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
        SmsChannelModule,
        InboxModule,
      ],
    };
  }
}
