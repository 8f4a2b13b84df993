import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import { webChannelApiPort } from '@switchboard/contracts';
import { HealthModule, InternalRpcModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { ChannelWebAppConfig } from './channel-web-app.config.js';
import { ChannelWebModule } from './channel-web.module.js';

/** The web channel alone, as it runs in its own pod. */
@Module({
  imports: [
    PlatformConfigModule.forRoot(ChannelWebAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    ChannelWebModule,
    // WebChannelApi for the inbox in its own pod (ADR 0004).
    InternalRpcModule.serve(webChannelApiPort, [ChannelWebModule]),
  ],
})
export class ChannelWebAppModule {}
