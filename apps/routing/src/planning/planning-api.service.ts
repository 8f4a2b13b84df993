import { Injectable } from '@nestjs/common';
import {
  NotFoundError,
  type ArrivalHistoryView,
  type StaffingPlanInput,
  type StaffingPlanView,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { parseInput } from '../api/routing-api.validation.js';
import { historyWeeksSchema, parseStaffingPlanInput } from './planning-api.validation.js';
import { planStaffing } from './staffing-planner.js';

const HOURS_OF_WEEK = 168;
/** Conversations no queue's entry rule took (queue_id NULL) are planned as the queue `default`. */
const DEFAULT_QUEUE_ID = 'default';

/**
 * RoutingApi's planning methods (RoutingApiService delegates here): the staffing planner, and the
 * arrivals routing recorded, by hour of the week, for it to plan from. Every query is scoped by
 * workspace.
 */
@Injectable()
export class PlanningApiService {
  constructor(@InjectServiceDataSource('routing') private readonly db: DataSource) {}

  /** Rejects (never throws) on bad input, like every port method. */
  planStaffing(workspaceId: string, input: StaffingPlanInput): Promise<StaffingPlanView> {
    return Promise.resolve().then(() => {
      parseInput(z.uuid(), workspaceId, 'workspace id');
      const parsed = parseStaffingPlanInput(input);
      return planStaffing({ ...parsed, concurrency: parsed.concurrency ?? [1] });
    });
  }

  async getArrivalHistory(workspaceId: string, queueId: string, weeks = 4): Promise<ArrivalHistoryView> {
    parseInput(z.uuid(), workspaceId, 'workspace id');
    const id = parseInput(z.string().trim().min(1).max(200), queueId, 'queue id');
    const span = parseInput(historyWeeksSchema, weeks, 'weeks');
    const known = await this.db.query<{ id: string }[]>(
      'SELECT id FROM routing.queues WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
    if (known.length === 0 && id !== DEFAULT_QUEUE_ID) throw new NotFoundError(`queue ${id}`);
    const recordedQueue = known.length === 0 ? null : id;
    // Whole weeks ending at the current hour, so every hour of the week counts `weeks` times.
    const to = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - span * 7 * 24 * 3_600_000);
    const window = [workspaceId, recordedQueue, from, to];
    const [byHour, handled] = await Promise.all([
      this.db.query<{ hour: number; arrivals: number }[]>(
        `SELECT ((extract(isodow FROM arrived_at AT TIME ZONE 'UTC')::int - 1) * 24
                 + extract(hour FROM arrived_at AT TIME ZONE 'UTC')::int) AS hour,
                count(*)::int AS arrivals
         FROM routing.conversations
         WHERE workspace_id = $1 AND queue_id IS NOT DISTINCT FROM $2
           AND arrived_at >= $3 AND arrived_at < $4
         GROUP BY 1`,
        window,
      ),
      this.db.query<{ handle: number | null }[]>(
        `SELECT avg(extract(epoch FROM resolved_at - assigned_at))::float8 AS handle
         FROM routing.conversations
         WHERE workspace_id = $1 AND queue_id IS NOT DISTINCT FROM $2
           AND arrived_at >= $3 AND arrived_at < $4
           AND assigned_at IS NOT NULL AND resolved_at > assigned_at`,
        window,
      ),
    ]);
    const arrivalsByHour = new Array<number>(HOURS_OF_WEEK).fill(0);
    let conversations = 0;
    for (const row of byHour) {
      arrivalsByHour[row.hour] = Math.round((100 * row.arrivals) / span) / 100;
      conversations += row.arrivals;
    }
    const handle = handled[0]?.handle;
    return {
      queueId: id,
      weeks: span,
      from: from.toISOString(),
      to: to.toISOString(),
      arrivalsByHour,
      meanHandleSeconds: handle === null || handle === undefined ? null : Math.round(handle),
      conversations,
    };
  }
}
