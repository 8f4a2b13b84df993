import { Controller, Get, Inject, Optional, Query, UseFilters, UseGuards } from '@nestjs/common';
import {
  AGENT_METRICS,
  CONVERSATION_METRICS,
  FailedPreconditionError,
  QUEUE_METRICS,
  REPORT_DIMENSIONS,
  REPORT_METRICS,
  REPORTING_API,
  SERVICE_LEVEL_TARGETS,
  type ReportingApi,
  type ReportView,
  type ServiceLevelTarget,
} from '@switchboard/contracts';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';

// The query string's shape; reporting checks the values (dates, which metric goes with which
// dimension) and names each field.
const reportInput = z
  .object({
    metrics: z
      .string()
      .max(1000)
      .transform((s) => s.split(',').filter((m) => m !== ''))
      .pipe(z.array(z.enum(REPORT_METRICS)).min(1)),
    dimension: z.enum(REPORT_DIMENSIONS),
    from: z.string().max(16),
    to: z.string().max(16),
    time: z.enum(['calendar', 'business']).optional(),
    serviceLevelTarget: z.coerce
      .number()
      .refine(
        (n): n is ServiceLevelTarget => (SERVICE_LEVEL_TARGETS as readonly number[]).includes(n),
        'one of 15, 30, 60, 120, 300',
      )
      .optional(),
    queueId: z.string().min(1).max(200).optional(),
    channel: z.string().min(1).max(50).optional(),
  })
  .strict();

/** What the Reports page offers: the metrics by family, the dimensions and the service-level targets. */
export interface ReportCatalogView {
  conversationMetrics: readonly string[];
  queueMetrics: readonly string[];
  agentMetrics: readonly string[];
  dimensions: readonly string[];
  serviceLevelTargets: readonly number[];
  timeZone: string;
}

/**
 * Supervisor → Reports: figures from the reporting store (ReportingApi, in process or at
 * REPORTING_API_URL), on the workspace's clock. The inbox owns the workspace's time zone and
 * business hours: it hands them to reporting whenever they differ from the ones reporting holds,
 * which recomputes the workspace's figures.
 */
@Controller('api/inbox/reports')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
@RequireRole('supervisor')
export class ReportsController {
  constructor(
    @Optional() @Inject(REPORTING_API) private readonly reporting: ReportingApi | null,
    private readonly workspaces: WorkspacesService,
  ) {}

  @Get('catalog')
  async catalog(@CurrentSession() session: SessionContext): Promise<ReportCatalogView> {
    const { timeZone } = await this.workspaces.get(session.workspaceId);
    return {
      conversationMetrics: CONVERSATION_METRICS,
      queueMetrics: QUEUE_METRICS,
      agentMetrics: AGENT_METRICS,
      dimensions: REPORT_DIMENSIONS,
      serviceLevelTargets: SERVICE_LEVEL_TARGETS,
      timeZone,
    };
  }

  @Get()
  async report(@CurrentSession() session: SessionContext, @Query() query: unknown): Promise<ReportView> {
    const input = parseInput(reportInput, query);
    const reporting = this.port();
    await this.syncClock(reporting, session.workspaceId);
    return reporting.getReport(session.workspaceId, input);
  }

  private async syncClock(reporting: ReportingApi, workspaceId: string): Promise<void> {
    const { timeZone, businessHours } = await this.workspaces.get(workspaceId);
    const held = await reporting.getWorkspaceClock(workspaceId);
    if (held.timeZone !== timeZone || JSON.stringify(held.businessHours) !== JSON.stringify(businessHours))
      await reporting.setWorkspaceClock(workspaceId, { timeZone, businessHours });
  }

  private port(): ReportingApi {
    if (!this.reporting)
      throw new FailedPreconditionError('reporting is not deployed with this inbox (REPORTING_API_URL)');
    return this.reporting;
  }
}
