import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  FailedPreconditionError,
  REPORTING_API,
  type grpcV1,
  type ReportDimension,
  type ReportingApi,
  type ReportMetric,
  type ServiceLevelTarget,
} from '@switchboard/contracts';
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
 * INVALID_ARGUMENT naming it (`metrics.0`, `dimension`, `from`). Without reporting (grpc-api alone
 * and no REPORTING_API_URL) the call is FAILED_PRECONDITION.
 */
@Injectable()
export class ReportServiceHandlers {
  constructor(
    private readonly rpc: RpcHandlerFactory,
    @Optional() @Inject(REPORTING_API) private readonly reporting: ReportingApi | null,
  ) {}

  implementation(): grpcV1.ReportServiceHandlers {
    return {
      GetReport: this.rpc.unary('GetReport', 'read', async (req: grpcV1.GetReportRequest__Output, ctx) => {
        if (!this.reporting)
          throw new FailedPreconditionError('reporting is not deployed with this API (REPORTING_API_URL)');
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
