import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { InboxAppConfig } from './inbox-app.config.js';
import { InboxModule } from './inbox.module.js';

/**
 * The inbox alone, as it runs in its own pod. HISTORY_API and ROUTING_API come from the internal
 * RPC clients of ADR 0004 (provided globally by the transport module once it lands).
 */
@Module({
  imports: [
    PlatformConfigModule.forRoot(InboxAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    InboxModule,
  ],
})
export class InboxAppModule {}
