import { Module } from '@nestjs/common';
import { reportingApiPort } from '@switchboard/contracts';
import { MessagingModule } from '@switchboard/messaging';
import { HealthModule, InternalRpcModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { ReportingAppConfig } from './reporting-app.config.js';
import { ReportingModule } from './reporting.module.js';

/** The reporting service alone, as it runs in its own pod. */
@Module({
  imports: [
    PlatformConfigModule.forRoot(ReportingAppConfig),
    LoggingModule,
    HealthModule,
    MessagingModule.forRoot(),
    ReportingModule,
    // ReportingApi for the inbox and the gRPC API in their own pods (ADR 0004).
    InternalRpcModule.serve(reportingApiPort, [ReportingModule]),
  ],
})
export class ReportingAppModule {}
