import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import { routingApiPort } from '@switchboard/contracts';
import { HealthModule, InternalRpcModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
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
    // RoutingApi for the inbox and the gRPC API in their own pods (ADR 0004).
    InternalRpcModule.serve(routingApiPort, [RoutingModule]),
  ],
})
export class RoutingAppModule {}
