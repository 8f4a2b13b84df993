import { TimerQueue } from '../core/timer-queue.js';
import { FLAT_CURVE, slowdown, type ConcurrencyCurve } from './concurrency-curve.js';
import {
  handleFactor,
  type SimulatedAgent,
  type SimulatedArrival,
  type SimulatedRouter,
} from './simulation-types.js';

export interface SimulationResult {
  readonly router: string;
  readonly arrivals: number;
  readonly answered: number;
  readonly abandoned: number;
  /** Share of all arrivals answered within the service-level threshold (abandoned ones count as missed). */
  readonly serviceLevelPercent: number;
  readonly meanWaitSeconds: number;
  readonly p90WaitSeconds: number;
  /** Share of all arrivals not answered the moment they arrived (Erlang's P(wait)). */
  readonly waitedPercent: number;
  readonly abandonmentPercent: number;
  /** Time-weighted load ÷ capacity per agent: mean, spread (standard deviation), min and max across agents. */
  readonly occupancy: {
    readonly mean: number;
    readonly stdev: number;
    readonly min: number;
    readonly max: number;
  };
  /** Share of answered conversations handled by an agent with proficiency ≥ 4 in the skill needed. */
  readonly skillMatchPercent: number;
  /** From assignment to the end, concurrency's slowdown included. */
  readonly meanHandleSeconds: number;
  /** The concurrency curve the run used. */
  readonly concurrency: ConcurrencyCurve;
  /** The same figures per consecutive batch of arrivals (by arrival time), when `batchSeconds` is set. */
  readonly batches?: readonly BatchResult[];
}

/** One batch's figures, for confidence intervals by batch means. */
export interface BatchResult {
  readonly arrivals: number;
  readonly serviceLevelPercent: number;
  readonly waitedPercent: number;
  /** Over answered conversations (= over all when nobody abandons). */
  readonly meanWaitSeconds: number;
  readonly abandonmentPercent: number;
}

export interface SimulationSpec {
  readonly agents: readonly SimulatedAgent[];
  readonly arrivals: readonly SimulatedArrival[];
  readonly skills: readonly string[];
  readonly serviceLevelSeconds: number;
  /** How handle time grows with the chats an agent holds at once. Default: flat (no slowdown). */
  readonly concurrency?: ConcurrencyCurve;
  /** Also report figures per batch of this many seconds of arrivals (batch means). */
  readonly batchSeconds?: number;
}

/**
 * Replays arrivals through a router on virtual time: customers abandon when their patience runs
 * out before an agent takes them, agents take longer on skills they are weaker at
 * (`handleFactor`) and on every chat while they hold several (`spec.concurrency`: each chat's
 * remaining work is recomputed whenever its agent takes or ends one). Deterministic for a given
 * spec.
 */
export function simulate(
  spec: SimulationSpec,
  makeRouter: (clock: () => number) => SimulatedRouter,
): SimulationResult {
  let now = 0;
  const router = makeRouter(() => now);
  router.start(spec.agents, spec.skills);
  const byId = new Map(spec.arrivals.map((a) => [a.conversationId, a]));
  const curve = spec.concurrency ?? FLAT_CURVE;
  const agents = new Map(
    spec.agents.map((a) => [
      a.agentId,
      {
        agent: a,
        load: 0,
        busyIntegral: 0,
        since: 0,
        /** Chats held: work left (ms at one chat), start, and the version of their end event. */
        held: new Map<string, { left: number; startedAt: number; version: number }>(),
      },
    ]),
  );
  const events = new TimerQueue();
  for (const a of spec.arrivals)
    events.push({ at: a.at * 1000, kind: 'step', id: a.conversationId, version: 0 });
  const assignedTo = new Map<string, string>();
  const finished = new Set<string>();
  const waits: number[] = [];
  /** Per arrival, in spec order: its wait when answered, null when it abandoned. */
  const waitOf = new Map<string, number | null>();
  let abandoned = 0;
  let matched = 0;
  let handleTotal = 0;

  /** Before the agent's load changes: what each chat got done at the old pace, and occupancy. */
  const settle = (agentId: string) => {
    const a = agents.get(agentId)!;
    const pace = 1 / slowdown(curve, a.held.size);
    for (const chat of a.held.values()) chat.left -= (now - a.since) * pace;
    a.busyIntegral += (now - a.since) * (a.load / a.agent.capacity);
    a.since = now;
    return a;
  };
  /** After it changed: every held chat ends at its new pace (older end events go stale). */
  const reschedule = (a: ReturnType<typeof settle>, before: number) => {
    a.load = a.held.size;
    const factor = slowdown(curve, a.held.size);
    for (const [id, chat] of a.held) {
      if (chat.version > 0 && factor === slowdown(curve, before)) continue;
      chat.version++;
      events.push({ at: now + Math.max(0, chat.left) * factor, kind: 'offer', id, version: chat.version });
    }
  };
  const take = () => {
    for (const { conversationId, agentId } of router.takeAssignments()) {
      const arrival = byId.get(conversationId)!;
      if (assignedTo.has(conversationId) || finished.has(conversationId)) continue;
      assignedTo.set(conversationId, agentId);
      const wait = (now - arrival.at * 1000) / 1000;
      waits.push(wait);
      waitOf.set(conversationId, wait);
      const a = settle(agentId);
      const proficiency = a.agent.skills.find((s) => s.skill === arrival.skill)?.proficiency ?? 0;
      if (proficiency >= 4) matched++;
      const before = a.held.size;
      a.held.set(conversationId, {
        left: arrival.baseHandleSeconds * handleFactor(proficiency) * 1000,
        startedAt: now,
        version: 0,
      });
      reschedule(a, before);
    }
  };

  for (let guard = 0; guard < 50_000_000; guard++) {
    const next = events.peek();
    const deadline = router.nextDeadline();
    if (deadline !== undefined && (next === undefined || deadline <= next.at)) {
      now = Math.max(now, deadline);
      router.advance();
      take();
      continue;
    }
    if (!next) break;
    events.pop();
    now = next.at;
    const id = next.id;
    if (next.kind === 'step') {
      // Arrival: the customer leaves after their patience unless answered first.
      const patience = byId.get(id)!.patienceSeconds;
      if (patience !== Number.POSITIVE_INFINITY)
        events.push({ at: now + patience * 1000, kind: 'reservation', id, version: 1 });
      router.open(byId.get(id)!);
    } else if (next.kind === 'reservation') {
      if (assignedTo.has(id) || finished.has(id)) continue;
      abandoned++;
      waitOf.set(id, null);
      finished.add(id);
      router.finish(id);
    } else {
      // The conversation ends, handled, unless its agent's pace changed since this was set.
      const a = agents.get(assignedTo.get(id)!)!;
      const chat = a.held.get(id);
      if (!chat || chat.version !== next.version) continue;
      settle(a.agent.agentId);
      const before = a.held.size;
      a.held.delete(id);
      handleTotal += (now - chat.startedAt) / 1000;
      reschedule(a, before);
      finished.add(id);
      router.finish(id);
    }
    take();
  }
  for (const agentId of agents.keys()) settle(agentId);
  const occupancies = [...agents.values()].map((a) => (now === 0 ? 0 : a.busyIntegral / now));
  const mean = average(occupancies);
  const sortedWaits = [...waits].sort((a, b) => a - b);
  const within = waits.filter((w) => w <= spec.serviceLevelSeconds).length;
  const total = spec.arrivals.length;
  const answeredAtOnce = waits.filter((w) => w === 0).length;
  return {
    router: router.name,
    arrivals: total,
    answered: waits.length,
    abandoned,
    serviceLevelPercent: total === 0 ? 100 : (100 * within) / total,
    meanWaitSeconds: average(waits),
    p90WaitSeconds:
      sortedWaits.length === 0
        ? 0
        : sortedWaits[Math.min(sortedWaits.length - 1, Math.ceil(0.9 * sortedWaits.length) - 1)]!,
    waitedPercent: total === 0 ? 0 : 100 - (100 * answeredAtOnce) / total,
    abandonmentPercent: total === 0 ? 0 : (100 * abandoned) / total,
    occupancy: {
      mean,
      stdev: Math.sqrt(average(occupancies.map((o) => (o - mean) ** 2))),
      min: Math.min(...occupancies),
      max: Math.max(...occupancies),
    },
    skillMatchPercent: waits.length === 0 ? 0 : (100 * matched) / waits.length,
    meanHandleSeconds: waits.length === 0 ? 0 : handleTotal / waits.length,
    concurrency: curve,
    ...(spec.batchSeconds ? { batches: batchesOf(spec, waitOf, spec.batchSeconds) } : {}),
  };
}

function batchesOf(
  spec: SimulationSpec,
  waitOf: ReadonlyMap<string, number | null>,
  batchSeconds: number,
): BatchResult[] {
  const sums: { arrivals: number; within: number; atOnce: number; answered: number; waited: number }[] = [];
  for (const arrival of spec.arrivals) {
    const index = Math.floor(arrival.at / batchSeconds);
    while (sums.length <= index) sums.push({ arrivals: 0, within: 0, atOnce: 0, answered: 0, waited: 0 });
    const sum = sums[index]!;
    sum.arrivals++;
    const wait = waitOf.get(arrival.conversationId);
    if (wait === undefined || wait === null) continue;
    sum.answered++;
    sum.waited += wait;
    if (wait === 0) sum.atOnce++;
    if (wait <= spec.serviceLevelSeconds) sum.within++;
  }
  return sums.map((s) => ({
    arrivals: s.arrivals,
    serviceLevelPercent: s.arrivals === 0 ? 100 : (100 * s.within) / s.arrivals,
    waitedPercent: s.arrivals === 0 ? 0 : 100 - (100 * s.atOnce) / s.arrivals,
    meanWaitSeconds: s.answered === 0 ? 0 : s.waited / s.answered,
    abandonmentPercent: s.arrivals === 0 ? 0 : (100 * (s.arrivals - s.answered)) / s.arrivals,
  }));
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
