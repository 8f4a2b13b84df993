import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import { smsChannelApiPort } from '@switchboard/contracts';
import { HealthModule, InternalRpcModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { ChannelSmsAppConfig } from './channel-sms-app.config.js';
import { SmsChannelModule } from './sms-channel.module.js';

/** The SMS channel alone, as it runs in its own pod. */
@Module({
  imports: [
    PlatformConfigModule.forRoot(ChannelSmsAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    SmsChannelModule,
    // SmsChannelApi for the inbox in its own pod (ADR 0004).
    InternalRpcModule.serve(smsChannelApiPort, [SmsChannelModule]),
  ],
})
export class ChannelSmsAppModule {}
