/**
 * Erlang C (M/M/N): Poisson arrivals, exponential handle times, N agents taking one contact each,
 * customers who wait as long as it takes, first come first served. The textbook staffing model;
 * the simulator is checked against it (`erlang-agreement.spec.ts`).
 */

/**
 * Erlang B (blocking probability of M/M/N/N) by its recursion B(0) = 1,
 * B(k) = A·B(k−1) / (k + A·B(k−1)): every term stays in [0, 1], so unlike the factorial formula it
 * neither overflows nor loses precision for hundreds of agents.
 */
export function erlangB(trafficErlangs: number, agents: number): number {
  if (!(trafficErlangs >= 0) || !Number.isInteger(agents) || agents < 0)
    throw new RangeError('erlangB needs traffic ≥ 0 and a whole number of agents ≥ 0');
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (trafficErlangs * b) / (k + trafficErlangs * b);
  return b;
}

/** Erlang C: the probability that a contact waits at all. 1 when the agents cannot keep up (A ≥ N). */
export function erlangC(trafficErlangs: number, agents: number): number {
  if (trafficErlangs === 0) return 0;
  if (trafficErlangs >= agents) return 1;
  const b = erlangB(trafficErlangs, agents);
  return (agents * b) / (agents - trafficErlangs * (1 - b));
}

export interface QueueLoad {
  readonly arrivalsPerHour: number;
  /** Mean handle time of one contact. */
  readonly handleSeconds: number;
  /** Service-level threshold: answered within this many seconds. */
  readonly targetSeconds: number;
}

export interface ErlangCFigures {
  /** Offered load A = λ × AHT, in Erlangs. */
  readonly trafficErlangs: number;
  readonly waitProbability: number;
  /** Share of contacts answered within the target, 0–1 (0 when the queue grows without bound). */
  readonly serviceLevel: number;
  /** Average speed of answer over all contacts, those answered at once included (∞ when A ≥ N). */
  readonly averageWaitSeconds: number;
  /** A ÷ N, at most 1. */
  readonly occupancy: number;
}

/** Service level SL = 1 − C·e^(−(N−A)·t/AHT) and ASA = C·AHT/(N−A). */
export function erlangCFigures(load: QueueLoad, agents: number): ErlangCFigures {
  const traffic = (load.arrivalsPerHour * load.handleSeconds) / 3600;
  const occupancy = agents === 0 ? (traffic === 0 ? 0 : 1) : Math.min(1, traffic / agents);
  if (traffic > 0 && traffic >= agents)
    return {
      trafficErlangs: traffic,
      waitProbability: 1,
      serviceLevel: 0,
      averageWaitSeconds: Number.POSITIVE_INFINITY,
      occupancy,
    };
  const c = erlangC(traffic, agents);
  return {
    trafficErlangs: traffic,
    waitProbability: c,
    serviceLevel: 1 - c * Math.exp((-(agents - traffic) * load.targetSeconds) / load.handleSeconds),
    averageWaitSeconds: traffic === 0 ? 0 : (c * load.handleSeconds) / (agents - traffic),
    occupancy,
  };
}

/** The fewest agents whose Erlang C service level reaches `serviceLevel` (0–1). */
export function erlangCAgentsFor(load: QueueLoad, serviceLevel: number): number {
  if (!(serviceLevel >= 0 && serviceLevel < 1)) throw new RangeError('the service level must be in [0, 1)');
  const traffic = (load.arrivalsPerHour * load.handleSeconds) / 3600;
  if (traffic === 0) return 0;
  // Walk up from the first stable staffing: the service level rises with every agent added.
  for (let agents = Math.floor(traffic) + 1; ; agents++)
    if (erlangCFigures(load, agents).serviceLevel >= serviceLevel) return agents;
}
