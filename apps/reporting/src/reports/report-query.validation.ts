import {
  AGENT_METRICS,
  InvalidArgumentError,
  REPORT_DIMENSIONS,
  REPORT_METRICS,
  SERVICE_LEVEL_TARGETS,
  type ReportQuery,
} from '@switchboard/contracts';
import { z } from 'zod';
import { parseLocal } from '../clock/local-time.util.js';

const localDateTime = z.string().refine((t) => parseLocal(t) !== null, 'YYYY-MM-DD or YYYY-MM-DDTHH:MM');

/** The longest range one report reads: 400 days by hour would be 9,600 rows. */
const MAX_RANGE_DAYS = 400;

const reportQuerySchema = z
  .strictObject({
    metrics: z.array(z.enum(REPORT_METRICS)).min(1).max(REPORT_METRICS.length),
    dimension: z.enum(REPORT_DIMENSIONS),
    from: localDateTime,
    to: localDateTime,
    time: z.enum(['calendar', 'business']).optional(),
    serviceLevelTarget: z
      .number()
      .refine(
        (n) => (SERVICE_LEVEL_TARGETS as readonly number[]).includes(n),
        `one of ${SERVICE_LEVEL_TARGETS.join(', ')}`,
      )
      .optional(),
    queueId: z.string().min(1).max(200).optional(),
    channel: z.string().min(1).max(50).optional(),
    // History's label ids are uuids; whether the label is the workspace's is the caller's check
    // (reporting keeps no list of labels): another workspace's label matches no conversation here.
    labelId: z.uuid().optional(),
    agentId: z.string().min(1).max(200).optional(),
  })
  .superRefine((q, ctx) => {
    const from = parseLocal(q.from);
    const to = parseLocal(q.to);
    if (from !== null && to !== null) {
      if (to <= from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      else if (to - from > MAX_RANGE_DAYS * 86_400_000)
        ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_RANGE_DAYS} days after from` });
    }
    const agentMetrics = q.metrics.filter((m) => (AGENT_METRICS as readonly string[]).includes(m));
    if (q.dimension === 'agent' && agentMetrics.length !== q.metrics.length)
      ctx.addIssue({
        code: 'custom',
        path: ['metrics'],
        message: 'by agent, only agent metrics: ' + AGENT_METRICS.join(', '),
      });
    if (q.dimension !== 'agent' && agentMetrics.length > 0)
      ctx.addIssue({ code: 'custom', path: ['dimension'], message: 'agent metrics are by agent' });
    if (
      q.dimension === 'agent' &&
      (q.queueId !== undefined || q.channel !== undefined || q.labelId !== undefined)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['dimension'],
        message: 'agent metrics take no queue, channel or label filter',
      });
  });

/** Validates a report query at the edge of the service; INVALID_ARGUMENT names each bad field. */
export function parseReportQuery(input: unknown): ReportQuery {
  const result = reportQuerySchema.safeParse(input);
  if (result.success) return result.data as ReportQuery;
  throw new InvalidArgumentError(
    'invalid report query',
    result.error.issues.map((i) => ({ field: i.path.join('.') || '(query)', description: i.message })),
  );
}
