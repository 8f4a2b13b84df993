import { Injectable } from '@nestjs/common';
import {
  InvalidArgumentError,
  NotFoundError,
  type AgentSkill,
  type ArrivalHistoryView,
  type RoutingStep,
  type StaffingPlanInput,
  type StaffingPlanView,
} from '@switchboard/contracts';
import { InjectServiceDataSource } from '@switchboard/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { parseInput } from '../api/routing-api.validation.js';
import { fitConcurrencyCurve } from '../simulation/concurrency-curve.js';
import type { AgentRow, QueueRow } from '../workspaces/routing-rows.js';
import { historyWeeksSchema, parseStaffingPlanInput, timeZoneSchema } from './planning-api.validation.js';
import { planStaffing } from './staffing-planner.js';

const HOURS_OF_WEEK = 168;
/** Chats needed at a count held at once before the fitted curve says anything about it. */
const MINIMUM_CHATS_PER_POINT = 30;
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

  /**
   * Rejects (never throws) on bad input, like every port method. With `queueId`, plans with that
   * queue's steps and the skills of the agents who serve it (those listing it, or no queue).
   */
  async planStaffing(workspaceId: string, input: StaffingPlanInput): Promise<StaffingPlanView> {
    parseInput(z.uuid(), workspaceId, 'workspace id');
    const { timeZone = 'UTC', queueId, steps, team, ...parsed } = parseStaffingPlanInput(input);
    const queue = queueId === undefined ? undefined : await this.queueSetup(workspaceId, queueId);
    const plannedTeam = team ?? queue?.team;
    if (plannedTeam && plannedTeam.length === 0)
      throw new InvalidArgumentError('no agent serves this queue: give the team (skill mix) to plan for', [
        { field: 'team', description: 'required when the queue has no agents' },
      ]);
    const plan = planStaffing({
      ...parsed,
      concurrency: parsed.concurrency ?? [1],
      steps: steps ?? queue?.steps ?? [],
      ...(plannedTeam ? { team: plannedTeam } : {}),
    });
    return { ...plan, timeZone };
  }

  /** A queue's steps, and its agents' skills (one profile per agent), from what routing stores. */
  private async queueSetup(
    workspaceId: string,
    queueId: string,
  ): Promise<{ steps: RoutingStep[]; team: { skills: AgentSkill[]; share: number }[] }> {
    const [queues, agents] = await Promise.all([
      this.db.query<Pick<QueueRow, 'steps'>[]>(
        'SELECT steps FROM routing.queues WHERE workspace_id = $1 AND id = $2',
        [workspaceId, queueId],
      ),
      this.db.query<Pick<AgentRow, 'skills'>[]>(
        `SELECT skills FROM routing.agents
         WHERE workspace_id = $1 AND (cardinality(queue_ids) = 0 OR $2 = ANY(queue_ids))
         ORDER BY agent_id`,
        [workspaceId, queueId],
      ),
    ]);
    if (queues.length === 0 && queueId !== DEFAULT_QUEUE_ID) throw new NotFoundError(`queue ${queueId}`);
    return {
      steps: queues[0]?.steps ?? [],
      team: agents.map((a) => ({ skills: a.skills, share: 1 })),
    };
  }

  async getArrivalHistory(
    workspaceId: string,
    queueId: string,
    weeks = 4,
    timeZone = 'UTC',
  ): Promise<ArrivalHistoryView> {
    parseInput(z.uuid(), workspaceId, 'workspace id');
    const id = parseInput(z.string().trim().min(1).max(200), queueId, 'queue id');
    const span = parseInput(historyWeeksSchema, weeks, 'weeks');
    const zone = parseInput(timeZoneSchema, timeZone, 'time zone');
    const known = await this.db.query<{ id: string }[]>(
      'SELECT id FROM routing.queues WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
    if (known.length === 0 && id !== DEFAULT_QUEUE_ID) throw new NotFoundError(`queue ${id}`);
    const recordedQueue = known.length === 0 ? null : id;
    // Whole weeks ending at the current hour of the zone's clock (a half-hour zone's hours start
    // at :30 UTC), so every hour of the week falls in the window `weeks` times — give or take the
    // hour a daylight-saving change removes or repeats, which is why each hour is averaged over
    // the times it actually occurred.
    const [window] = await this.db.query<{ from: Date; to: Date }[]>(
      `SELECT date_trunc('hour', now(), $1) - make_interval(days => 7 * $2) AS "from",
              date_trunc('hour', now(), $1) AS "to"`,
      [zone, span],
    );
    const { from, to } = window!;
    const scope = [workspaceId, recordedQueue, from, to];
    const [byHour, handled, chats] = await Promise.all([
      this.db.query<{ hour: number; occurred: number; arrivals: number }[]>(
        `WITH occurred AS (
           SELECT ${hourOfWeek('h')} AS hour, count(*)::int AS occurred
           FROM generate_series($3::timestamptz, $4::timestamptz - interval '1 hour', interval '1 hour') AS h
           GROUP BY 1),
         arrived AS (
           SELECT ${hourOfWeek('arrived_at')} AS hour, count(*)::int AS arrivals
           FROM routing.conversations
           WHERE workspace_id = $1 AND queue_id IS NOT DISTINCT FROM $2
             AND arrived_at >= $3 AND arrived_at < $4
             -- Agents' demand only: one with the bot now, or resolved there, needed none; one
             -- handed off arrived (arrived_at) when it left the bot (ADR 0080).
             AND state <> 'bot' AND NOT snapshot @> '{"resolvedWithBot": true}'
           GROUP BY 1)
         SELECT hour, occurred, coalesce(arrivals, 0) AS arrivals
         FROM occurred LEFT JOIN arrived USING (hour)`,
        [...scope, zone],
      ),
      this.db.query<{ handle: number | null }[]>(
        `SELECT avg(extract(epoch FROM resolved_at - assigned_at))::float8 AS handle
         FROM routing.conversations
         WHERE workspace_id = $1 AND queue_id IS NOT DISTINCT FROM $2
           AND arrived_at >= $3 AND arrived_at < $4
           AND assigned_at IS NOT NULL AND resolved_at > assigned_at`,
        scope,
      ),
      // Each resolved chat's handle time and how many chats its agent held on average meanwhile
      // (itself, plus the time-weighted overlap of the agent's others, any queue): what the
      // concurrency curve is fitted from.
      this.db.query<{ handle: number; held: number }[]>(
        `SELECT extract(epoch FROM c.resolved_at - c.assigned_at)::float8 AS handle,
                (1 + coalesce(sum(extract(epoch FROM
                       least(coalesce(o.resolved_at, now()), c.resolved_at) - greatest(o.assigned_at, c.assigned_at)))
                       -- least/greatest skip NULLs: without the filter a chat alone overlaps itself
                       FILTER (WHERE o.conversation_id IS NOT NULL), 0)
                   / extract(epoch FROM c.resolved_at - c.assigned_at))::float8 AS held
         FROM routing.conversations c
         LEFT JOIN routing.conversations o
           ON o.workspace_id = c.workspace_id AND o.agent_id = c.agent_id
          AND o.conversation_id <> c.conversation_id
          AND o.assigned_at < c.resolved_at AND coalesce(o.resolved_at, now()) > c.assigned_at
         WHERE c.workspace_id = $1 AND c.queue_id IS NOT DISTINCT FROM $2
           AND c.arrived_at >= $3 AND c.arrived_at < $4
           AND c.agent_id IS NOT NULL AND c.assigned_at IS NOT NULL AND c.resolved_at > c.assigned_at
         GROUP BY c.conversation_id, c.assigned_at, c.resolved_at`,
        scope,
      ),
    ]);
    const arrivalsByHour = new Array<number>(HOURS_OF_WEEK).fill(0);
    let conversations = 0;
    for (const row of byHour) {
      arrivalsByHour[row.hour] = Math.round((100 * row.arrivals) / row.occurred) / 100;
      conversations += row.arrivals;
    }
    const handle = handled[0]?.handle;
    return {
      queueId: id,
      weeks: span,
      timeZone: zone,
      from: from.toISOString(),
      to: to.toISOString(),
      arrivalsByHour,
      meanHandleSeconds: handle === null || handle === undefined ? null : Math.round(handle),
      conversations,
      concurrency: fittedConcurrency(chats.map((c) => ({ heldAtOnce: c.held, handleSeconds: c.handle }))),
    };
  }
}

/** The hour of the week (0 = Monday 00:00–01:00) of a timestamptz column, on the zone `$5`'s clock. */
function hourOfWeek(column: string): string {
  return `((extract(isodow FROM ${column} AT TIME ZONE $5)::int - 1) * 24 + extract(hour FROM ${column} AT TIME ZONE $5)::int)`;
}

/** The workspace's own curve, or null while it has too few chats handled alone to say. */
function fittedConcurrency(
  records: readonly { heldAtOnce: number; handleSeconds: number }[],
): ArrivalHistoryView['concurrency'] {
  const alone = records.filter((r) => Math.round(r.heldAtOnce) <= 1);
  if (alone.length < MINIMUM_CHATS_PER_POINT) return null;
  const curve = fitConcurrencyCurve(records, MINIMUM_CHATS_PER_POINT);
  return {
    factors: [...curve.factors],
    chats: records.length,
    aloneHandleSeconds: Math.round(alone.reduce((sum, r) => sum + r.handleSeconds, 0) / alone.length),
  };
}
