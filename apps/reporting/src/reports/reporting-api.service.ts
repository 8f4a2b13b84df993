import { Injectable } from '@nestjs/common';
import {
  InvalidArgumentError,
  type ReportingApi,
  type ReportMetric,
  type ReportQuery,
  type ReportRow,
  type ReportView,
  type WorkspaceClock,
} from '@switchboard/contracts';
import { z } from 'zod';
import { openIntervals } from '../clock/business-hours.util.js';
import { instantOfLocal, parseLocal } from '../clock/local-time.util.js';
import { WorkspaceClockRepository } from '../clock/workspace-clock.repository.js';
import type { BucketMeasure } from '../projection/conversation-summary.js';
import { ProjectionService } from '../projection/projection.service.js';
import { agentFigures, intersect, onlineSpans } from './agent-figures.js';
import { parseReportQuery } from './report-query.validation.js';
import { ReportRepository } from './report.repository.js';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const clockSchema = z.strictObject({
  timeZone: z
    .string()
    .max(64)
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'an IANA time zone'),
  businessHours: z
    .partialRecord(
      z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
      z
        .array(
          z
            .strictObject({ from: z.string().regex(HH_MM), to: z.string().regex(HH_MM) })
            .refine((i) => i.from < i.to, 'from before to'),
        )
        .max(6),
    )
    .nullable(),
});

function wallText(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 19).replace('T', ' ');
}

function ratio(numerator: number, denominator: number, scale = 1): number | null {
  return denominator === 0 ? null : (numerator / denominator) * scale;
}

/** A metric of conversations and queues from a bucket sum; business time reads the `_bh` sums. */
function bucketMetric(
  metric: ReportMetric,
  s: Record<BucketMeasure, number>,
  business: boolean,
  target: number,
): number | null {
  const bh = business ? '_bh' : '';
  const sum = (prefix: string): number => s[`${prefix}${bh}_sum` as BucketMeasure];
  switch (metric) {
    case 'conversations':
      return s.conversations;
    case 'time_to_first_assignment':
      return ratio(sum('assign'), s.assigned_n);
    case 'first_response_time':
      return ratio(sum('response'), s.responded_n);
    case 'resolution_time':
      return ratio(sum('resolution'), s.resolved_n);
    case 'resolved':
      return s.resolved_n;
    case 'replies':
      return s.replies;
    case 'replies_per_conversation':
      return ratio(s.replies, s.conversations);
    case 'reopens':
      return s.reopens;
    case 'bot_held':
      return s.bot_held;
    case 'bot_resolved':
      return s.bot_resolved;
    case 'bot_handed_off':
      return s.bot_handed_off;
    case 'csat_responses':
      return s.csat_n;
    case 'csat_average':
      return ratio(s.csat_sum, s.csat_n);
    case 'csat_satisfied_percent':
      return ratio(s.csat_satisfied, s.csat_n, 100);
    case 'offered':
      return s.offered;
    case 'answered':
      return s.answered;
    case 'answered_within_target':
      return s[`sl_${target}` as BucketMeasure];
    case 'abandoned':
      return s.abandoned;
    case 'abandonment_percent':
      return ratio(s.abandoned, s.offered, 100);
    case 'service_level_percent':
      return ratio(s[`sl_${target}` as BucketMeasure], s.answered + s.abandoned, 100);
    case 'average_speed_of_answer':
      return ratio(sum('asa'), s.answered);
    // Agent metrics never come from buckets (the query's validation keeps them apart).
    case 'handled':
    case 'concurrency_mean':
    case 'concurrency_max':
    case 'occupancy_percent':
    case 'time_online':
      return null;
  }
}

/** ReportingApi: reports from the store, and the workspace clock they are read on. */
@Injectable()
export class ReportingApiService implements ReportingApi {
  constructor(
    private readonly reports: ReportRepository,
    private readonly clocks: WorkspaceClockRepository,
    private readonly projection: ProjectionService,
  ) {}

  async getReport(workspaceId: string, input: ReportQuery): Promise<ReportView> {
    const query = parseReportQuery(input);
    const clock = await this.clocks.get(workspaceId);
    const time = query.time ?? 'calendar';
    const fromWall = parseLocal(query.from)!;
    const toWall = parseLocal(query.to)!;
    if (query.dimension === 'agent') {
      const rows = await this.agentRows(workspaceId, query, clock, fromWall, toWall, time === 'business');
      return { timeZone: clock.timeZone, time, rows };
    }
    const target = query.serviceLevelTarget ?? 60;
    const sums = await this.reports.sumBuckets(workspaceId, {
      dimension: query.dimension,
      from: wallText(fromWall),
      to: wallText(toWall),
      inHoursOnly: time === 'business',
      ...(query.queueId !== undefined ? { queueId: query.queueId } : {}),
      ...(query.channel !== undefined ? { channel: query.channel } : {}),
      ...(query.labelId !== undefined ? { labelId: query.labelId } : {}),
      ...(query.agentId !== undefined ? { agentId: query.agentId } : {}),
      assignedSince: new Date(instantOfLocal(fromWall, clock.timeZone)),
    });
    const rows: ReportRow[] = sums.map(({ key, sums: s }) => ({
      key: query.dimension === 'queue' && key === '' ? 'none' : key,
      values: Object.fromEntries(
        query.metrics.map((m) => [m, bucketMetric(m, s, time === 'business', target)]),
      ),
    }));
    return { timeZone: clock.timeZone, time, rows };
  }

  private async agentRows(
    workspaceId: string,
    query: ReportQuery,
    clock: WorkspaceClock,
    fromWall: number,
    toWall: number,
    business: boolean,
  ): Promise<ReportRow[]> {
    const from = instantOfLocal(fromWall, clock.timeZone);
    const to = instantOfLocal(toWall, clock.timeZone);
    // Presence and assignments still open end now, or at the range's end if that is sooner.
    const until = Math.max(from, Math.min(to, Date.now()));
    const [presence, assignments] = await Promise.all([
      this.reports.presence(workspaceId, new Date(from), new Date(to)),
      this.reports.assignments(workspaceId, new Date(from), new Date(to), new Date(until)),
    ]);
    const open = business ? openIntervals(clock, from, until) : [[from, until] as [number, number]];
    const agents = [
      ...new Set([...presence.before.keys(), ...presence.changes.keys(), ...assignments.keys()]),
    ].sort();
    const rows: ReportRow[] = [];
    for (const agentId of agents) {
      if (query.agentId !== undefined && agentId !== query.agentId) continue;
      const online = onlineSpans(
        presence.before.get(agentId) ?? null,
        presence.changes.get(agentId) ?? [],
        from,
        until,
      );
      const f = agentFigures(intersect(online, open), assignments.get(agentId) ?? [], from, to);
      if (f.handled === 0 && f.onlineMs === 0 && f.maxConcurrent === 0) continue;
      const values: ReportRow['values'] = {};
      for (const m of query.metrics) {
        if (m === 'handled') values[m] = f.handled;
        else if (m === 'concurrency_mean') values[m] = ratio(f.loadMs, f.onlineMs);
        else if (m === 'concurrency_max') values[m] = f.maxConcurrent;
        else if (m === 'occupancy_percent') values[m] = ratio(f.busyMs, f.onlineMs, 100);
        else if (m === 'time_online') values[m] = f.onlineMs / 1000;
      }
      rows.push({ key: agentId, values });
    }
    return rows;
  }

  async setWorkspaceClock(workspaceId: string, input: WorkspaceClock): Promise<void> {
    const parsed = clockSchema.safeParse(input);
    if (!parsed.success)
      throw new InvalidArgumentError(
        'invalid workspace clock',
        parsed.error.issues.map((i) => ({ field: i.path.join('.'), description: i.message })),
      );
    const before = await this.clocks.get(workspaceId);
    await this.clocks.set(workspaceId, parsed.data);
    // Buckets are by local hour and business time: a new clock recomputes the workspace.
    if (JSON.stringify(before) !== JSON.stringify(parsed.data))
      await this.projection.rebuildWorkspace(workspaceId);
  }

  getWorkspaceClock(workspaceId: string): Promise<WorkspaceClock> {
    return this.clocks.get(workspaceId);
  }
}
