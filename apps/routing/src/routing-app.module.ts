import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { RoutingAppConfig } from './routing-app.config.js';
import { RoutingModule } from './routing.module.js';

/** The routing service alone, as it runs in its own pod. */
@Module({
  imports: [
    PlatformConfigModule.forRoot(RoutingAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    RoutingModule,
  ],
})
export class RoutingAppModule {}
