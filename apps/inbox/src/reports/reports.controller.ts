import { Controller, Get, Inject, Optional, Query, UseFilters, UseGuards } from '@nestjs/common';
import {
  AGENT_METRICS,
  CONVERSATION_METRICS,
  FailedPreconditionError,
  HISTORY_API,
  InvalidArgumentError,
  QUEUE_METRICS,
  REPORT_DIMENSIONS,
  REPORT_METRICS,
  REPORTING_API,
  ROUTING_API,
  SERVICE_LEVEL_TARGETS,
  channelSchema,
  type HistoryApi,
  type ReportingApi,
  type RoutingApi,
  type ReportView,
  type ServiceLevelTarget,
} from '@switchboard/contracts';
import { z } from 'zod';
import { CurrentSession, RequireRole, SessionGuard } from '../auth/session.guard.js';
import type { SessionContext } from '../auth/session-context.js';
import { InboxExceptionFilter } from '../http/inbox-exception.filter.js';
import { parseInput } from '../http/parse-input.util.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { ReportingClockService } from './reporting-clock.service.js';

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
    channel: channelSchema.optional(),
    /** Conversations carrying this label now (conversation and queue metrics). */
    labelId: z.string().min(1).max(200).optional(),
    /**
     * By agent: this agent's row. Conversation and queue metrics: the conversations assigned to
     * this agent at some time (ADR 0123).
     */
    agentId: z.string().min(1).max(200).optional(),
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
 * REPORTING_API_URL), on the workspace's clock, which ReportingClockService hands to reporting
 * (ADR 0103). Queue, agent and label ids are checked against the session's workspace (routing's
 * and history's lists): another workspace's id is a 400 that names the field, never an empty report.
 */
@Controller('api/inbox/reports')
@UseGuards(SessionGuard)
@UseFilters(InboxExceptionFilter)
@RequireRole('supervisor')
export class ReportsController {
  constructor(
    @Optional() @Inject(REPORTING_API) private readonly reporting: ReportingApi | null,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
    @Inject(HISTORY_API) private readonly history: HistoryApi,
    private readonly workspaces: WorkspacesService,
    private readonly clock: ReportingClockService,
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
    await this.checkIds(session.workspaceId, input);
    await this.clock.ensure(session.workspaceId);
    return reporting.getReport(session.workspaceId, input);
  }

  /** A queue, agent or label of another workspace (or of none) reads as unknown, like a typo. */
  private async checkIds(
    workspaceId: string,
    { queueId, agentId, labelId }: { queueId?: string; agentId?: string; labelId?: string },
  ): Promise<void> {
    const [queues, agents, labels] = await Promise.all([
      queueId === undefined ? null : this.routing.listQueues(workspaceId),
      agentId === undefined ? null : this.routing.listAgents(workspaceId),
      labelId === undefined ? null : this.history.listLabels(workspaceId),
    ]);
    const violations = [
      ...(queues && !queues.some((q) => q.id === queueId)
        ? [{ field: 'queueId', description: 'no such queue in this workspace' }]
        : []),
      ...(agents && !agents.some((a) => a.agentId === agentId)
        ? [{ field: 'agentId', description: 'no such agent in this workspace' }]
        : []),
      ...(labels && !labels.some((l) => l.id === labelId)
        ? [{ field: 'labelId', description: 'no such label in this workspace' }]
        : []),
    ];
    if (violations.length > 0) throw new InvalidArgumentError('invalid request', violations);
  }

  private port(): ReportingApi {
    if (!this.reporting)
      throw new FailedPreconditionError('reporting is not deployed with this inbox (REPORTING_API_URL)');
    return this.reporting;
  }
}
