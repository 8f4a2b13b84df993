import type { AgentSkill, RoutingStep } from './routing-api.js';

/** Agents alike in skills and their share of those scheduled (a skill mix for the planner). */
export interface StaffingTeamProfile {
  skills: AgentSkill[];
  /** Relative weight, > 0. */
  share: number;
}

/** What the staffing planner is asked (RoutingApi.planStaffing): one queue, hourly intervals. */
export interface StaffingPlanInput {
  /** Arrivals in each hourly interval, 1–168 (a week from Monday 00:00 in `timeZone`, as history gives it). */
  arrivalsByHour: number[];
  /** Mean handle time of a chat handled alone, seconds. */
  handleSeconds: number;
  /** Answered within this many seconds… */
  targetSeconds: number;
  /** …for this share of arrivals, 1–99. */
  serviceLevelPercent: number;
  /** Mean patience before a waiting customer leaves; null: nobody leaves. */
  patienceSeconds: number | null;
  /** Chats an agent holds at once, 1–10. */
  maxChats: number;
  /** Handle-time multiplier at 1, 2, … chats held: starts at 1, never decreases. Default [1]. */
  concurrency?: number[];
  /** Agents actually scheduled per interval (null: as many as needed). */
  scheduled?: (number | null)[];
  /** The IANA zone whose clock the hours follow (the workspace's); echoed in the plan. Default UTC. */
  timeZone?: string;
  /**
   * Plan with this queue's routing steps and the skills of the workspace's agents who serve it
   * (`steps` and `team`, when given, replace either). `default`: no steps.
   */
  queueId?: string;
  /** Routing steps (as a queue's): who may answer, widening over time. */
  steps?: RoutingStep[];
  /** The skill mix of the agents scheduled. */
  team?: StaffingTeamProfile[];
}

export interface StaffingFiguresView {
  serviceLevelPercent: number;
  /** Mean time in queue over all arrivals; null when the queue would grow without bound. */
  averageWaitSeconds: number | null;
  occupancyPercent: number;
  abandonPercent: number;
}

export interface StaffingIntervalView {
  hour: number;
  /** How this hour was planned: Erlang's closed form, or simulated through the routing core. */
  method: 'erlang-c' | 'erlang-a' | 'simulation';
  arrivals: number;
  agentsNeeded: number;
  expected: StaffingFiguresView;
  scheduled: number;
  expectedScheduled: StaffingFiguresView;
  /** Simulated with steps: share of answered conversations given out at each step (last: anyone). */
  answeredByStepPercent?: number[];
}

export interface StaffingPlanView {
  method: 'erlang-c' | 'erlang-a' | 'simulation';
  /** The model's assumptions, in words. */
  basis: string;
  /** Hour 0 is Monday 00:00–01:00 on this zone's clock. */
  timeZone: string;
  intervals: StaffingIntervalView[];
}

/** A queue's recorded arrivals by hour of the week (RoutingApi.getArrivalHistory). */
export interface ArrivalHistoryView {
  queueId: string;
  weeks: number;
  /** The IANA zone whose clock the hours follow (the workspace's; UTC unless asked). */
  timeZone: string;
  from: string;
  to: string;
  /**
   * 168 values, Monday 00:00–01:00 in `timeZone` first: mean arrivals in that hour over the times
   * it occurred in the window (a daylight-saving change removes or repeats one).
   */
  arrivalsByHour: number[];
  /** Mean time from assignment to resolution of those resolved; null when none was. */
  meanHandleSeconds: number | null;
  conversations: number;
  /**
   * The queue's concurrency curve fitted from these chats (mean handle time while the agent held
   * k at once ÷ the mean alone, k = 1, 2, … while 30 or more chats say so), the chats it was
   * fitted from, and the mean handle time of those handled alone; null below 30 handled alone.
   */
  concurrency: { factors: number[]; chats: number; aloneHandleSeconds: number } | null;
}
