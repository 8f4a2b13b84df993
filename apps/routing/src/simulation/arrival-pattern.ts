import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SimulatedAgent, SimulatedArrival } from './simulation-types.js';

/** A small, fast, seedable generator (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function uuidFrom(random: () => number): string {
  const word = () =>
    Math.floor(random() * 4_294_967_296)
      .toString(16)
      .padStart(8, '0');
  const hex = word() + word() + word() + word();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface PoissonSpec {
  readonly ratePerMinute: number;
  readonly hours: number;
  /** Skill → relative weight of conversations needing it. */
  readonly skillMix: Readonly<Record<string, number>>;
  readonly meanHandleSeconds: number;
  /** Exponential patience with this mean; `Infinity`: nobody abandons. */
  readonly meanPatienceSeconds: number;
  readonly seed: number;
  /**
   * `lognormal` (σ = 0.6, the default): how chat handle times are skewed in practice.
   * `exponential`: what Erlang C and A assume, to check the simulator against them.
   */
  readonly handleDistribution?: 'lognormal' | 'exponential';
}

/** Poisson arrivals, a skill mix, log-normal (or exponential) handle times and exponential patience. */
export function poissonArrivals(spec: PoissonSpec): SimulatedArrival[] {
  const random = seededRandom(spec.seed);
  const skills = Object.entries(spec.skillMix);
  const totalWeight = skills.reduce((sum, [, w]) => sum + w, 0);
  const arrivals: SimulatedArrival[] = [];
  const end = spec.hours * 3600;
  const perSecond = spec.ratePerMinute / 60;
  // Log-normal with σ = 0.6, scaled so that its mean is meanHandleSeconds.
  const sigma = 0.6;
  const mu = Math.log(spec.meanHandleSeconds) - (sigma * sigma) / 2;
  for (let at = -Math.log(1 - random()) / perSecond; at < end; at += -Math.log(1 - random()) / perSecond) {
    let pick = random() * totalWeight;
    const skill = skills.find(([, w]) => (pick -= w) < 0)?.[0] ?? skills[skills.length - 1]![0];
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    // Drawn only when used, so that a log-normal run's stream (and figures) stay what they were.
    const handle =
      spec.handleDistribution === 'exponential'
        ? -Math.log(1 - random()) * spec.meanHandleSeconds
        : Math.exp(mu + sigma * normal);
    const patience = -Math.log(1 - random());
    arrivals.push({
      conversationId: uuidFrom(random),
      customerId: uuidFrom(random),
      at,
      skill,
      baseHandleSeconds: handle,
      patienceSeconds:
        spec.meanPatienceSeconds === Number.POSITIVE_INFINITY
          ? Number.POSITIVE_INFINITY
          : patience * spec.meanPatienceSeconds,
    });
  }
  return arrivals;
}

/** Agents who are expert (4–5) in one skill, fair (2–3) in another, and new to the rest. */
export function generateAgents(
  count: number,
  skills: readonly string[],
  capacity: number,
  seed: number,
): SimulatedAgent[] {
  const random = seededRandom(seed ^ 0x5bd1e995);
  return Array.from({ length: count }, (_, i) => {
    const primary = skills[i % skills.length]!;
    const secondary = skills[(i + 1 + Math.floor(random() * (skills.length - 1))) % skills.length]!;
    const agentSkills = [{ skill: primary, proficiency: 4 + Math.floor(random() * 2) }];
    if (secondary !== primary)
      agentSkills.push({ skill: secondary, proficiency: 2 + Math.floor(random() * 2) });
    return { agentId: `agent-${String(i + 1).padStart(3, '0')}`, skills: agentSkills, capacity };
  });
}

const recordedSchema = z.array(
  z.object({
    at: z.number().nonnegative(),
    skill: z.string().regex(/^[a-z][a-z0-9_-]*$/),
    handleSeconds: z.number().positive(),
    patienceSeconds: z.number().positive().optional(),
    conversationId: z.uuid().optional(),
  }),
);

/** A recorded arrival pattern: `[{ at, skill, handleSeconds, patienceSeconds? }]`, seconds from the start. */
export function recordedArrivals(json: unknown, defaultPatienceSeconds: number): SimulatedArrival[] {
  return recordedSchema
    .parse(json)
    .sort((a, b) => a.at - b.at)
    .map((r) => ({
      conversationId: r.conversationId ?? randomUUID(),
      customerId: randomUUID(),
      at: r.at,
      skill: r.skill,
      baseHandleSeconds: r.handleSeconds,
      patienceSeconds: r.patienceSeconds ?? defaultPatienceSeconds,
    }));
}
