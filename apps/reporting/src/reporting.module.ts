import { Module } from '@nestjs/common';
import { REPORTING_API } from '@switchboard/contracts';
import { DatabaseModule } from '@switchboard/platform';
import { WorkspaceClockRepository } from './clock/workspace-clock.repository.js';
import { reportingMigrations } from './migrations/index.js';
import { ConversationLabelsRepository } from './projection/conversation-labels.repository.js';
import { ProjectionRepository } from './projection/projection.repository.js';
import { ProjectionService } from './projection/projection.service.js';
import { ReportingConsumer } from './projection/reporting.consumer.js';
import { ReportRepository } from './reports/report.repository.js';
import { ReportingApiService } from './reports/reporting-api.service.js';

/**
 * The reporting store (ADR 0101): a consumer of the event log (group `reporting.events`) builds
 * the `reporting` schema, and `ReportingApi` answers reports from it. The same module alone
 * (`ReportingAppModule`) or in the standalone process; provides `ReportingApi` under REPORTING_API.
 */
@Module({
  imports: [DatabaseModule.forService({ schema: 'reporting', migrations: reportingMigrations })],
  providers: [
    WorkspaceClockRepository,
    ProjectionRepository,
    ConversationLabelsRepository,
    ProjectionService,
    ReportingConsumer,
    ReportRepository,
    ReportingApiService,
    { provide: REPORTING_API, useExisting: ReportingApiService },
  ],
  exports: [REPORTING_API, ReportingConsumer, ProjectionService],
})
export class ReportingModule {}
