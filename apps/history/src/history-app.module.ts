import { Module } from '@nestjs/common';
import { MessagingModule } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
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
  ],
})
export class HistoryAppModule {}
