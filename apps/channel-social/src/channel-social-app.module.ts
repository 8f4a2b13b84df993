import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import { socialChannelApiPort } from '@switchboard/contracts';
import { HealthModule, InternalRpcModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { ChannelSocialAppConfig } from './channel-social-app.config.js';
import { SocialChannelModule } from './social-channel.module.js';

/** The social channels alone, as they run in their own pod. */
@Module({
  imports: [
    PlatformConfigModule.forRoot(ChannelSocialAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    SocialChannelModule,
    // SocialChannelApi for the inbox in its own pod (ADR 0004).
    InternalRpcModule.serve(socialChannelApiPort, [SocialChannelModule]),
  ],
})
export class ChannelSocialAppModule {}
