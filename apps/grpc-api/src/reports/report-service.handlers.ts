import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  FailedPreconditionError,
  HISTORY_API,
  REPORTING_API,
  ROUTING_API,
  type grpcV1,
  type HistoryApi,
  type ReportDimension,
  type ReportingApi,
  type ReportMetric,
  type RoutingApi,
  type ServiceLevelTarget,
} from '@switchboard/contracts';
import { Violations } from '../server/request-validation.util.js';
import { RpcHandlerFactory } from '../server/rpc-handler.factory.js';

const DIMENSIONS: Record<string, ReportDimension> = {
  REPORT_DIMENSION_TOTAL: 'total',
  REPORT_DIMENSION_HOUR: 'hour',
  REPORT_DIMENSION_DAY: 'day',
  REPORT_DIMENSION_WEEK: 'week',
  REPORT_DIMENSION_MONTH: 'month',
  REPORT_DIMENSION_QUEUE: 'queue',
  REPORT_DIMENSION_CHANNEL: 'channel',
  REPORT_DIMENSION_AGENT: 'agent',
};

/**
 * ReportService over reporting's ReportingApi, with the key's workspace: the request is handed on
 * as it came (names, local dates) and reporting validates every field, answered as
 * INVALID_ARGUMENT naming it (`metrics.0`, `dimension`, `from`). A label or an agent must be the
 * key's workspace's (history's labels, routing's agents): another workspace's id is
 * INVALID_ARGUMENT on `label_id` or `agent_id`, like a typo, never an empty report. Without
 * reporting (grpc-api alone and no REPORTING_API_URL) the call is FAILED_PRECONDITION.
 */
@Injectable()
export class ReportServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    @Optional() @Inject(REPORTING_API) private readonly reporting: ReportingApi | null,
    @Inject(HISTORY_API) private readonly history: HistoryApi,
    @Inject(ROUTING_API) private readonly routing: RoutingApi,
  ) {}

  /** The label and agent filters name ids of the key's workspace. */
  private async checkFilters(workspaceId: string, labelId: string, agentId: string): Promise<void> {
    const [labels, agents] = await Promise.all([
      labelId === '' ? null : this.history.listLabels(workspaceId),
      agentId === '' ? null : this.routing.listAgents(workspaceId),
    ]);
    const violations = new Violations();
    if (labels && !labels.some((l) => l.id === labelId))
      violations.add('label_id', 'no such label in this workspace');
    if (agents && !agents.some((a) => a.agentId === agentId))
      violations.add('agent_id', 'no such agent in this workspace');
    violations.throwIfAny('invalid report request');
  }

  implementation(): grpcV1.ReportServiceHandlers {
    return {
      GetReport: this.rpc.unary('GetReport', 'read', async (req: grpcV1.GetReportRequest__Output, ctx) => {
        if (!this.reporting)
          throw new FailedPreconditionError('reporting is not deployed with this API (REPORTING_API_URL)');
        await this.checkFilters(ctx.principal.workspaceId, req.labelId, req.agentId);
        const view = await this.reporting.getReport(ctx.principal.workspaceId, {
          // Unknown names and dimensions reach reporting's validation, which names them.
          metrics: req.metrics as ReportMetric[],
          dimension: (DIMENSIONS[String(req.dimension)] ?? String(req.dimension)) as ReportDimension,
          from: req.from,
          to: req.to,
          ...(req.time === 'REPORT_TIME_BUSINESS' ? { time: 'business' as const } : {}),
          ...(req.serviceLevelTargetSeconds !== 0
            ? { serviceLevelTarget: req.serviceLevelTargetSeconds as ServiceLevelTarget }
            : {}),
          ...(req.queueId !== '' ? { queueId: req.queueId } : {}),
          ...(req.channel !== '' ? { channel: req.channel } : {}),
          ...(req.labelId !== '' ? { labelId: req.labelId } : {}),
          ...(req.agentId !== '' ? { agentId: req.agentId } : {}),
        });
        return {
          timeZone: view.timeZone,
          time: view.time === 'business' ? 'REPORT_TIME_BUSINESS' : 'REPORT_TIME_CALENDAR',
          rows: view.rows.map((row) => ({
            key: row.key,
            values: req.metrics.map((metric) => {
              const value = row.values[metric as ReportMetric];
              return value === null || value === undefined ? { metric } : { metric, value };
            }),
          })),
        };
      }),
    };
  }
}
