import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import { historyApiPort } from '@switchboard/contracts';
import { HealthModule, InternalRpcModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { HistoryAppConfig } from './history-app.config.js';
import { HistoryModule } from './history.module.js';

/** The history service alone, as it runs in its own pod. */
@Module({
  imports: [
    PlatformConfigModule.forRoot(HistoryAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    HistoryModule,
    // HistoryApi for the inbox, the gRPC API and the web channel in their own pods (ADR 0004).
    InternalRpcModule.serve(historyApiPort, [HistoryModule]),
  ],
})
export class HistoryAppModule {}
