import { Module } from '@nestjs/common';
import { knowledgeBaseApiPort } from '@switchboard/contracts';
import { MessagingModule } from '@switchboard/messaging';
import { HealthModule, InternalRpcModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { BotAppConfig } from './bot-app.config.js';
import { BotModule } from './bot.module.js';

/** The bot service alone, as it runs in its own pod. */
@Module({
  imports: [
    PlatformConfigModule.forRoot(BotAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    BotModule,
    // KnowledgeBaseApi for the inbox and the gRPC API in their own pods (ADR 0004).
    InternalRpcModule.serve(knowledgeBaseApiPort, [BotModule]),
  ],
})
export class BotAppModule {}
