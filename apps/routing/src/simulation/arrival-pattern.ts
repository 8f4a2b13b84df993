import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { FLAT_CURVE, fitConcurrencyCurve, slowdown, type ConcurrencyCurve } from './concurrency-curve.js';
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

/**
 * Agents who are expert (4–5) in one skill, fair (2–3) in another, and new to the rest. With a
 * skill mix, experts are hired in proportion to it (largest remainder), as a centre staffs each
 * skill for its demand; without, the skills take turns.
 */
export function generateAgents(
  count: number,
  skills: readonly string[],
  capacity: number,
  seed: number,
  mix?: Readonly<Record<string, number>>,
): SimulatedAgent[] {
  const random = seededRandom(seed ^ 0x5bd1e995);
  const primaries = mix ? proportionalPrimaries(count, skills, mix) : undefined;
  return Array.from({ length: count }, (_, i) => {
    const primary = primaries ? primaries[i]! : skills[i % skills.length]!;
    // Cross-trained where the demand is: with a mix, the second skill is drawn by its weight.
    const u = random();
    const others = skills.filter((s) => s !== primary);
    const secondary = mix
      ? (weightedPick(others, mix, u) ?? primary)
      : skills[(skills.indexOf(primary) + 1 + Math.floor(u * (skills.length - 1))) % skills.length]!;
    const agentSkills = [{ skill: primary, proficiency: 4 + Math.floor(random() * 2) }];
    if (secondary !== primary)
      agentSkills.push({ skill: secondary, proficiency: 2 + Math.floor(random() * 2) });
    return { agentId: `agent-${String(i + 1).padStart(3, '0')}`, skills: agentSkills, capacity };
  });
}

/** A skill drawn with probability in proportion to its weight in the mix. */
function weightedPick(
  skills: readonly string[],
  mix: Readonly<Record<string, number>>,
  u: number,
): string | undefined {
  const total = skills.reduce((sum, s) => sum + (mix[s] ?? 0), 0);
  let pick = u * total;
  return skills.find((s) => (pick -= mix[s] ?? 0) < 0) ?? skills[skills.length - 1];
}

/** Each agent's primary skill, experts per skill in proportion to the mix, interleaved. */
function proportionalPrimaries(
  count: number,
  skills: readonly string[],
  mix: Readonly<Record<string, number>>,
): string[] {
  const total = skills.reduce((sum, s) => sum + (mix[s] ?? 0), 0);
  const quotas = skills.map((s) => (count * (mix[s] ?? 0)) / (total || 1));
  const seats = quotas.map(Math.floor);
  const byRemainder = skills
    .map((_, i) => i)
    .sort((a, b) => quotas[b]! - seats[b]! - (quotas[a]! - seats[a]!));
  for (let left = count - seats.reduce((a, b) => a + b, 0), k = 0; left > 0; left--, k++)
    seats[byRemainder[k % skills.length]!]!++;
  const primaries: string[] = [];
  while (primaries.length < count)
    skills.forEach((s, i) => {
      if (seats[i]! > 0) {
        seats[i]!--;
        primaries.push(s);
      }
    });
  return primaries;
}

const recordedSchema = z.array(
  z.object({
    at: z.number().nonnegative(),
    skill: z.string().regex(/^[a-z][a-z0-9_-]*$/),
    handleSeconds: z.number().positive(),
    patienceSeconds: z.number().positive().optional(),
    conversationId: z.uuid().optional(),
    /** How many chats the agent held at once while handling it (on average), when recorded. */
    heldAtOnce: z.number().min(1).optional(),
  }),
);

/**
 * A recorded arrival pattern: `[{ at, skill, handleSeconds, patienceSeconds?, heldAtOnce? }]`,
 * seconds from the start. A recorded handle time already carries the slowdown of the chats held
 * beside it: divided by the curve at `heldAtOnce`, it becomes the work the simulator replays.
 */
export function recordedArrivals(
  json: unknown,
  defaultPatienceSeconds: number,
  curve: ConcurrencyCurve = FLAT_CURVE,
): SimulatedArrival[] {
  return recordedSchema
    .parse(json)
    .sort((a, b) => a.at - b.at)
    .map((r) => ({
      conversationId: r.conversationId ?? randomUUID(),
      customerId: randomUUID(),
      at: r.at,
      skill: r.skill,
      baseHandleSeconds: r.handleSeconds / slowdown(curve, r.heldAtOnce ?? 1),
      patienceSeconds: r.patienceSeconds ?? defaultPatienceSeconds,
    }));
}

/** The workspace's own concurrency curve, from recorded chats that carry `heldAtOnce`. */
export function recordedConcurrencyCurve(json: unknown): ConcurrencyCurve {
  return fitConcurrencyCurve(
    recordedSchema
      .parse(json)
      .flatMap((r) =>
        r.heldAtOnce === undefined ? [] : [{ heldAtOnce: r.heldAtOnce, handleSeconds: r.handleSeconds }],
      ),
  );
}
