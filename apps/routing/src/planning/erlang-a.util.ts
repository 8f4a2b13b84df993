import type { QueueLoad } from './erlang-c.util.js';

/**
 * Erlang A (M/M/N+M): Erlang C's queue where each waiting customer leaves after an exponential
 * patience. Computed from the birth–death chain rather than Garnett–Mandelbaum–Reiman's closed
 * form (incomplete gamma functions): the stationary distribution by its ratio recursion, cut where
 * the tail is below 1e-15 of the mass, then the waiting-time distribution of a served customer by
 * uniformization. Every quantity is a sum of non-negative terms, so nothing cancels.
 */
export interface PatientLoad extends QueueLoad {
  /** Mean patience of a waiting customer (exponential). */
  readonly patienceSeconds: number;
}

export interface ErlangAFigures {
  readonly trafficErlangs: number;
  readonly waitProbability: number;
  readonly abandonProbability: number;
  /** Share of all arrivals answered within the target (those who leave count as missed), 0–1. */
  readonly serviceLevel: number;
  /** Mean time in queue over all arrivals, those who leave included (Little's law: E[Q] ÷ λ). */
  readonly averageWaitSeconds: number;
  /** Busy agents ÷ agents. */
  readonly occupancy: number;
}

const TAIL = 1e-15;

export function erlangAFigures(load: PatientLoad, agents: number): ErlangAFigures {
  const lambda = load.arrivalsPerHour / 3600;
  const mu = 1 / load.handleSeconds;
  const theta = 1 / load.patienceSeconds;
  if (!(lambda >= 0 && mu > 0 && theta > 0) || !Number.isInteger(agents) || agents < 0)
    throw new RangeError('erlangA needs arrivals ≥ 0, handle and patience > 0, whole agents ≥ 0');
  const trafficErlangs = lambda / mu;
  if (lambda === 0)
    return {
      trafficErlangs,
      waitProbability: 0,
      abandonProbability: 0,
      serviceLevel: 1,
      averageWaitSeconds: 0,
      occupancy: 0,
    };
  // p[n] ∝ P(n in system): p[n+1] = p[n]·λ / (min(n+1, N)·μ + max(n+1−N, 0)·θ), scaled as it grows.
  const p = [1];
  let mass = 1;
  for (let n = 0; ; n++) {
    const next = (p[n]! * lambda) / (Math.min(n + 1, agents) * mu + Math.max(n + 1 - agents, 0) * theta);
    p.push(next);
    mass += next;
    if (mass > 1e250) {
      for (let i = 0; i < p.length; i++) p[i]! /= mass;
      mass = 1;
    }
    if (n + 1 > agents && next < TAIL * mass) break;
  }
  const pi = p.map((x) => x / mass);
  let atOnce = 0;
  let busy = 0;
  for (let n = 0; n < agents; n++) {
    atOnce += pi[n]!;
    busy += n * pi[n]!;
  }
  let queued = 0;
  for (let n = agents; n < pi.length; n++) {
    busy += agents * pi[n]!;
    queued += (n - agents) * pi[n]!;
  }
  return {
    trafficErlangs,
    waitProbability: 1 - atOnce,
    abandonProbability: (theta * queued) / lambda,
    serviceLevel: atOnce + servedWithin(pi, agents, mu, theta, load.targetSeconds),
    averageWaitSeconds: queued / lambda,
    occupancy: agents === 0 ? 1 : busy / agents,
  };
}

/**
 * P(an arrival who finds all agents busy is served within t), by PASTA over what they find. With j
 * customers ahead, their place advances at rate N·μ + j·θ (a service ends, or one ahead leaves)
 * and they leave at rate θ; uniformized at rate Λ this is a discrete chain weighed by Poisson(Λt).
 * The interval is cut into pieces of Λ·Δt ≤ 50 so that e^(−Λ·Δt) never underflows.
 */
function servedWithin(pi: readonly number[], agents: number, mu: number, theta: number, t: number): number {
  const ahead = pi.length - agents;
  if (ahead <= 0 || t <= 0) return 0;
  const rate = agents * mu + ahead * theta + theta;
  const pieces = Math.max(1, Math.ceil((rate * t) / 50));
  const x = (rate * t) / pieces;
  // state[j]: still waiting with j ahead; state[ahead]: served.
  let state = Float64Array.from({ length: ahead + 1 }, (_, j) => (j < ahead ? pi[agents + j]! : 0));
  let stepped = new Float64Array(ahead + 1);
  const result = new Float64Array(ahead + 1);
  for (let piece = 0; piece < pieces; piece++) {
    let weight = Math.exp(-x);
    let cumulative = weight;
    for (let j = 0; j <= ahead; j++) result[j] = weight * state[j]!;
    for (let m = 1; cumulative < 1 - 1e-14 && m < 100_000; m++) {
      stepped.fill(0);
      stepped[ahead] = state[ahead]!;
      for (let j = 0; j < ahead; j++) {
        const v = state[j]!;
        if (v === 0) continue;
        const advance = (agents * mu + j * theta) / rate;
        stepped[j === 0 ? ahead : j - 1]! += v * advance;
        stepped[j]! += v * (1 - advance - theta / rate);
      }
      [state, stepped] = [stepped, state];
      weight *= x / m;
      cumulative += weight;
      for (let j = 0; j <= ahead; j++) result[j]! += weight * state[j]!;
    }
    state = Float64Array.from(result);
  }
  return state[ahead]!;
}
