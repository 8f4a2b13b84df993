import type { RoutingStep } from '@switchboard/contracts';
import { parseEligibilityExpression } from '../core/eligibility-expression.js';
import { concurrencyCurve, FLAT_CURVE, slowdown } from '../simulation/concurrency-curve.js';
import { erlangAFigures } from './erlang-a.util.js';
import { erlangCAgentsFor, erlangCFigures } from './erlang-c.util.js';
import {
  simulateRoutedQueue,
  type QueueFigures,
  type QueueModel,
  type RoutedQueueFigures,
  type RoutedQueueModel,
  type TeamProfile,
} from './routed-queue-simulation.js';

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
  /** The queue's routing steps (who is eligible, widening over time); none: anyone at once. */
  readonly steps?: readonly RoutingStep[];
  /** The skill mix of the agents scheduled; none: nobody has a skill. */
  readonly team?: readonly TeamProfile[];
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
  /** How this interval was planned: closed form, or simulated through the routing core. */
  readonly method: PlanningMethod;
  readonly arrivals: number;
  readonly agentsNeeded: number;
  /** At the agents needed. */
  readonly expected: StaffingFigures;
  /** Scheduled agents (the request's, or the agents needed), and the figures with them. */
  readonly scheduled: number;
  readonly expectedScheduled: StaffingFigures;
  /**
   * Simulated with steps: the share of answered conversations the core gave out at each step
   * (the last: any agent of the queue), for the agents scheduled.
   */
  readonly answeredByStepPercent?: number[];
}

export interface StaffingPlan {
  readonly method: PlanningMethod;
  /** Why that method: what the model assumes. */
  readonly basis: string;
  readonly intervals: StaffingInterval[];
}

/** Customers simulated per staffing level tried, after a tenth as many for warm-up (ADR 0024). */
const ROUTED_ARRIVALS = 2000;
const ROUTED_WARM_UP = 200;
const MAX_AGENTS = 5000;

/**
 * Agents needed per hourly interval to meet the service level, each interval treated as a queue in
 * steady state at its own rate (the usual stationary, independent-period approach).
 *
 * Where Erlang applies — one chat per agent, and no step keeps any agent from the queue's
 * conversations — Erlang C (nobody leaves) or Erlang A (exponential patience). Where it does not,
 * each staffing level tried is simulated through the real routing core (`simulateRoutedQueue`: the
 * queue's steps and the team's skills decide who may answer when, chats slow each other by the
 * concurrency curve), and the fewest agents meeting the target are searched from Erlang's answer
 * (a bound: steps only keep agents from conversations) or, where agents hold several chats,
 * Erlang C on the chats' slots (a guess), each rate starting from the last one's excess.
 * Identical intervals (the same arrivals) are planned once (ADR 0024).
 */
export function planStaffing(request: StaffingPlanRequest): StaffingPlan {
  if (!(request.serviceLevelPercent >= 1 && request.serviceLevelPercent <= 99))
    throw new RangeError('the service level target is 1–99%');
  const curve = request.concurrency.length <= 1 ? FLAT_CURVE : concurrencyCurve(request.concurrency, 'given');
  const target = request.serviceLevelPercent / 100;
  const steps = request.steps ?? [];
  const team = (request.team ?? []).filter((p) => p.share > 0);
  const stepsBind = stepsHoldBack(steps, team);
  const maxChats = Math.max(1, request.maxChats);
  const closedForm: PlanningMethod = request.patienceSeconds === null ? 'erlang-c' : 'erlang-a';
  const method: PlanningMethod = maxChats > 1 || stepsBind ? 'simulation' : closedForm;
  const why = [
    ...(maxChats > 1
      ? [`up to ${maxChats} chats per agent, handle time × ${curve.factors.join(', ')} at 1, 2, … chats held`]
      : []),
    ...(stepsBind
      ? [
          `the queue's ${steps.length} routing step(s) (${steps.map((s) => s.expression).join(' → ')}) over a team of ${team.length === 0 ? 'agents without skills' : describeTeam(team)}`,
        ]
      : []),
  ];
  const basis = {
    'erlang-c': 'Erlang C: one chat per agent, Poisson arrivals, exponential handle times, nobody leaves',
    'erlang-a': `Erlang A: one chat per agent, Poisson arrivals, exponential handle times and patience (mean ${request.patienceSeconds} s)`,
    simulation:
      `simulation through the routing core (every decision made and explained by it, as routing does): ${why.join('; ')}; ` +
      `Poisson arrivals, exponential work${request.patienceSeconds === null ? '' : ` and patience (mean ${request.patienceSeconds} s)`}; ` +
      `${ROUTED_ARRIVALS} customers per staffing level tried, from the fewest agents ${maxChats > 1 ? 'a simulation without steps' : closedForm === 'erlang-c' ? 'Erlang C' : 'Erlang A'} needs` +
      (steps.length > 0 && !stepsBind ? `; the steps hold nobody back (every agent meets the first)` : ''),
  }[method];
  const routedModel = (arrivals: number): RoutedQueueModel => ({
    arrivalsPerHour: arrivals,
    handleSeconds: request.handleSeconds,
    patienceSeconds: request.patienceSeconds,
    targetSeconds: request.targetSeconds,
    maxChats,
    concurrency: curve,
    steps: stepsBind ? steps : [],
    team,
  });
  // Intervals with the same arrivals are the same queue: planned once, on the same customers.
  const planned = new Map<number, { needed: number; figuresAt: (agents: number) => QueueFigures }>();
  const planOf = (arrivals: number) => {
    let known = planned.get(arrivals);
    if (known) return known;
    const model = routedModel(arrivals);
    const seed = seedOf(arrivals);
    const tried = new Map<number, QueueFigures>();
    const figuresAt = (agents: number): QueueFigures => {
      let figures = tried.get(agents);
      if (!figures) {
        figures =
          method === 'simulation'
            ? simulateRoutedQueue(model, agents, { arrivals: ROUTED_ARRIVALS, warmUp: ROUTED_WARM_UP, seed })
            : evaluate(closedForm, model, agents);
        tried.set(agents, figures);
      }
      return figures;
    };
    let needed = 0;
    if (arrivals > 0) {
      // Where agents hold one chat, Erlang's answer: a bound, as steps only keep agents back.
      // With several, Erlang C on the chats' slots at the full curve's pace: a first guess only.
      const bound =
        maxChats > 1
          ? slotGuess(model, target)
          : fewestAgents(closedForm, model, target, (agents) => evaluate(closedForm, model, agents));
      if (method === 'simulation') {
        // Start where the last (next quieter) rate landed relative to its own bound or guess.
        needed = fewestFrom(bound + excess, (agents) => figuresAt(agents).serviceLevel >= target);
        excess = needed - bound;
      } else needed = bound;
    }
    known = { needed, figuresAt };
    planned.set(arrivals, known);
    return known;
  };
  // Quietest first: how many agents the steps cost over the bound changes slowly with the rate,
  // so each rate's search starts from the last one's answer (two levels tried where it holds).
  let excess = 0;
  for (const arrivals of [...new Set(request.arrivalsByHour)].sort((a, b) => a - b)) planOf(arrivals);
  const intervals = request.arrivalsByHour.map((arrivals, hour): StaffingInterval => {
    const { needed, figuresAt } = planOf(arrivals);
    const scheduled = request.scheduled?.[hour] ?? needed;
    const atScheduled = figuresAt(scheduled);
    const byStep = (atScheduled as Partial<RoutedQueueFigures>).answeredByStep;
    return {
      hour,
      // An empty hour needs nobody: nothing to simulate, whatever the queue.
      method: arrivals > 0 ? method : closedForm,
      arrivals,
      agentsNeeded: needed,
      expected: shown(figuresAt(needed)),
      scheduled,
      expectedScheduled: shown(atScheduled),
      ...(stepsBind && arrivals > 0 && byStep && scheduled > 0
        ? { answeredByStepPercent: byStep.map((share) => Math.round(share * 1000) / 10) }
        : {}),
    };
  });
  return { method, basis, intervals };
}

/**
 * Whether the steps keep anyone from the queue's conversations at first: some step before the
 * catch-all, and an agent of the team who does not meet the first step's expression (steps are
 * rings around the ideal agent, so one who meets the first is eligible throughout).
 */
function stepsHoldBack(steps: readonly RoutingStep[], team: readonly TeamProfile[]): boolean {
  if (steps.length === 0) return false;
  const first = parseEligibilityExpression(steps[0]!.expression);
  if (team.length === 0) return !first.matches(new Map());
  return team.some((p) => !first.matches(new Map(p.skills.map((s) => [s.skill, s.proficiency]))));
}

function describeTeam(team: readonly TeamProfile[]): string {
  const total = team.reduce((sum, p) => sum + p.share, 0);
  const shown = team.slice(0, 6).map((p) => {
    const skills = p.skills.map((s) => `${s.skill} ${s.proficiency}`).join(' + ') || 'no skill';
    return `${Math.round((100 * p.share) / total)}% ${skills}`;
  });
  return shown.join(', ') + (team.length > 6 ? `, and ${team.length - 6} more profile(s)` : '');
}

/** The same arrivals, the same customers: a seed from the rate alone. */
function seedOf(arrivals: number): number {
  return Math.imul(Math.round(arrivals * 100) + 1, 0x9e3779b1) >>> 0 || 7919;
}

function evaluate(method: PlanningMethod, model: QueueModel, agents: number): QueueFigures {
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
  throw new Error(`no closed form for ${method}`);
}

/**
 * The fewest agents meeting the target, searched from a first guess: fewer while they still meet
 * it, or 1, 2, 4, … more until one does and then halving back — two levels tried where the guess
 * is right. The fewest is what the core's figures say, below the bound too (the bound comes from
 * another model, or the same on other customers).
 */
function fewestFrom(guess: number, meets: (agents: number) => boolean): number {
  const bound = Math.max(1, guess);
  let low = bound;
  if (meets(low)) {
    while (low > 1 && meets(low - 1)) low--;
    return low;
  }
  let high = low;
  for (let gap = 1; ; gap *= 2) {
    low = high;
    high = Math.min(MAX_AGENTS, bound + gap);
    if (meets(high) || high === MAX_AGENTS) break;
  }
  // low fails, high meets (or is the most the planner sizes).
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (meets(mid)) high = mid;
    else low = mid;
  }
  return high;
}

function fewestAgents(
  method: PlanningMethod,
  model: QueueModel,
  target: number,
  figuresAt: (agents: number) => QueueFigures,
): number {
  const meets = (agents: number) => figuresAt(agents).serviceLevel >= target;
  let agents = slotGuess({ ...model, maxChats: 1 }, target);
  if (method === 'erlang-c') return agents;
  if (meets(agents)) {
    while (agents > 1 && meets(agents - 1)) agents--;
    return agents;
  }
  while (!meets(agents) && agents < MAX_AGENTS) agents++;
  return agents;
}

/** Erlang C on the chats' slots, each chat at the pace of a full agent: a first guess. */
function slotGuess(model: QueueModel, target: number): number {
  const factor = slowdown(model.concurrency, model.maxChats);
  const slots = erlangCAgentsFor({ ...model, handleSeconds: model.handleSeconds * factor }, target);
  return Math.max(1, Math.ceil(slots / model.maxChats));
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
