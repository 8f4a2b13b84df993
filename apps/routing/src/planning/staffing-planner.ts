import { concurrencyCurve, FLAT_CURVE, slowdown } from '../simulation/concurrency-curve.js';
import { erlangAFigures } from './erlang-a.util.js';
import { erlangCAgentsFor, erlangCFigures } from './erlang-c.util.js';
import { simulateQueue, type QueueFigures, type QueueModel } from './queue-simulation.js';

export interface StaffingPlanRequest {
  /** Arrivals in each hourly interval (1–168 of them, e.g. a week from Monday 00:00). */
  readonly arrivalsByHour: readonly number[];
  /** Mean handle time of a chat handled alone. */
  readonly handleSeconds: number;
  /** Answered within this many seconds… */
  readonly targetSeconds: number;
  /** …for this share of arrivals, 1–99. */
  readonly serviceLevelPercent: number;
  /** Mean patience before a waiting customer leaves; null: nobody leaves. */
  readonly patienceSeconds: number | null;
  /** Chats an agent holds at once (1: one at a time). */
  readonly maxChats: number;
  /** Handle-time multiplier at 1, 2, … chats held (starts at 1); [1] when none is known. */
  readonly concurrency: readonly number[];
  /** Agents actually scheduled per interval; figures are given for them too. */
  readonly scheduled?: readonly (number | null)[];
}

export type PlanningMethod = 'erlang-c' | 'erlang-a' | 'simulation';

export interface StaffingFigures {
  readonly serviceLevelPercent: number;
  /** Mean time in queue over all arrivals (answered at once: 0); null: grows without bound. */
  readonly averageWaitSeconds: number | null;
  readonly occupancyPercent: number;
  readonly abandonPercent: number;
}

export interface StaffingInterval {
  readonly hour: number;
  readonly arrivals: number;
  readonly agentsNeeded: number;
  /** At the agents needed. */
  readonly expected: StaffingFigures;
  /** Scheduled agents (the request's, or the agents needed), and the figures with them. */
  readonly scheduled: number;
  readonly expectedScheduled: StaffingFigures;
}

export interface StaffingPlan {
  readonly method: PlanningMethod;
  /** Why that method: what the model assumes. */
  readonly basis: string;
  readonly intervals: StaffingInterval[];
}

/** Customers simulated per staffing level tried, after as many again for warm-up… */
const SIMULATED_ARRIVALS = 3000;
const WARM_UP = 300;
const MAX_AGENTS = 5000;

/**
 * Agents needed per hourly interval to meet the service level, each interval treated as a queue in
 * steady state at its own rate (the usual stationary, independent-period approach). Erlang C (no
 * abandonment) or Erlang A (exponential patience) where an agent takes one chat at a time; where
 * they hold several, each chat slows the others by the concurrency curve and no closed form
 * applies, so each staffing level is simulated (`simulateQueue`), starting from Erlang C's answer
 * for the chats' slots and walking to the fewest agents that meet the target.
 */
export function planStaffing(request: StaffingPlanRequest): StaffingPlan {
  if (!(request.serviceLevelPercent >= 1 && request.serviceLevelPercent <= 99))
    throw new RangeError('the service level target is 1–99%');
  const curve = request.concurrency.length <= 1 ? FLAT_CURVE : concurrencyCurve(request.concurrency, 'given');
  const target = request.serviceLevelPercent / 100;
  const method: PlanningMethod =
    request.maxChats > 1 ? 'simulation' : request.patienceSeconds === null ? 'erlang-c' : 'erlang-a';
  const basis = {
    'erlang-c': 'Erlang C: one chat per agent, Poisson arrivals, exponential handle times, nobody leaves',
    'erlang-a': `Erlang A: one chat per agent, Poisson arrivals, exponential handle times and patience (mean ${request.patienceSeconds} s)`,
    simulation: `simulation: up to ${request.maxChats} chats per agent, handle time × ${curve.factors.join(', ')} at 1, 2, … chats held, Poisson arrivals, exponential work${request.patienceSeconds === null ? '' : ` and patience (mean ${request.patienceSeconds} s)`}; ${SIMULATED_ARRIVALS} customers per staffing level tried`,
  }[method];
  const intervals = request.arrivalsByHour.map((arrivals, hour): StaffingInterval => {
    const model: QueueModel = {
      arrivalsPerHour: arrivals,
      handleSeconds: request.handleSeconds,
      patienceSeconds: request.patienceSeconds,
      targetSeconds: request.targetSeconds,
      maxChats: Math.max(1, request.maxChats),
      concurrency: curve,
    };
    const tried = new Map<number, QueueFigures>();
    const figuresAt = (agents: number): QueueFigures => {
      let known = tried.get(agents);
      if (!known) {
        known = evaluate(method, model, agents, hour);
        tried.set(agents, known);
      }
      return known;
    };
    const needed = arrivals <= 0 ? 0 : fewestAgents(method, model, target, figuresAt);
    const scheduled = request.scheduled?.[hour] ?? needed;
    return {
      hour,
      arrivals,
      agentsNeeded: needed,
      expected: shown(figuresAt(needed)),
      scheduled,
      expectedScheduled: shown(figuresAt(scheduled)),
    };
  });
  return { method, basis, intervals };
}

function evaluate(method: PlanningMethod, model: QueueModel, agents: number, hour: number): QueueFigures {
  if (model.arrivalsPerHour <= 0)
    return { serviceLevel: 1, averageWaitSeconds: 0, occupancy: 0, abandonRate: 0 };
  if (method === 'erlang-c') {
    const c = erlangCFigures(model, agents);
    return {
      serviceLevel: c.serviceLevel,
      averageWaitSeconds: c.averageWaitSeconds,
      occupancy: c.occupancy,
      abandonRate: 0,
    };
  }
  if (method === 'erlang-a') {
    const a = erlangAFigures({ ...model, patienceSeconds: model.patienceSeconds! }, agents);
    return {
      serviceLevel: a.serviceLevel,
      averageWaitSeconds: a.averageWaitSeconds,
      occupancy: a.occupancy,
      abandonRate: a.abandonProbability,
    };
  }
  return simulateQueue(model, agents, {
    arrivals: SIMULATED_ARRIVALS,
    warmUp: WARM_UP,
    seed: 7919 * (hour + 1),
  });
}

function fewestAgents(
  method: PlanningMethod,
  model: QueueModel,
  target: number,
  figuresAt: (agents: number) => QueueFigures,
): number {
  const meets = (agents: number) => figuresAt(agents).serviceLevel >= target;
  // Erlang C on the slots, each chat at the pace of a full agent, as the first guess.
  const factor = slowdown(model.concurrency, model.maxChats);
  const slots = erlangCAgentsFor({ ...model, handleSeconds: model.handleSeconds * factor }, target);
  let agents = Math.max(1, method === 'simulation' ? Math.ceil(slots / model.maxChats) : slots);
  if (method === 'erlang-c') return agents;
  if (meets(agents)) {
    while (agents > 1 && meets(agents - 1)) agents--;
    return agents;
  }
  while (!meets(agents) && agents < MAX_AGENTS) agents++;
  return agents;
}

function shown(f: QueueFigures): StaffingFigures {
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return {
    serviceLevelPercent: round1(100 * f.serviceLevel),
    averageWaitSeconds: Number.isFinite(f.averageWaitSeconds) ? round1(f.averageWaitSeconds) : null,
    occupancyPercent: round1(100 * f.occupancy),
    abandonPercent: round1(100 * f.abandonRate),
  };
}
