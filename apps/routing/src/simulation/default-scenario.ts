import { generateAgents, poissonArrivals } from './arrival-pattern.js';
import { DEFAULT_CURVE } from './concurrency-curve.js';
import type { SimulationSpec } from './routing-simulator.js';

/** `npm run sim:routing`'s scenario when no option changes it (ADR 0022). */
export const DEFAULT_SCENARIO = {
  agents: 30,
  ratePerMinute: 8,
  hours: 8,
  capacity: 2,
  seed: 1,
  serviceLevelSeconds: 60,
  meanHandleSeconds: 300,
  meanPatienceSeconds: 180,
  skillMix: { billing: 4, tech: 3, sales: 2, spanish: 1 } as Readonly<Record<string, number>>,
  concurrency: DEFAULT_CURVE,
};

export type Scenario = typeof DEFAULT_SCENARIO;

/** Poisson arrivals for the mix, and agents hired in proportion to it. */
export function scenarioSpec(scenario: Scenario): SimulationSpec {
  const skills = Object.keys(scenario.skillMix);
  return {
    agents: generateAgents(scenario.agents, skills, scenario.capacity, scenario.seed, scenario.skillMix),
    arrivals: poissonArrivals({
      ratePerMinute: scenario.ratePerMinute,
      hours: scenario.hours,
      skillMix: scenario.skillMix,
      meanHandleSeconds: scenario.meanHandleSeconds,
      meanPatienceSeconds: scenario.meanPatienceSeconds,
      seed: scenario.seed,
    }),
    skills,
    serviceLevelSeconds: scenario.serviceLevelSeconds,
    concurrency: scenario.concurrency,
  };
}
