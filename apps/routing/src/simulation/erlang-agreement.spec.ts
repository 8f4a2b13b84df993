import { erlangAFigures } from '../planning/erlang-a.util.js';
import { erlangCFigures } from '../planning/erlang-c.util.js';
import { poissonArrivals } from './arrival-pattern.js';
import { simulate, type BatchResult } from './routing-simulator.js';
import type { SimulatedAgent } from './simulation-types.js';
import { SwitchboardRouter } from './switchboard-router.js';

/**
 * The simulator against queueing theory, through the real routing core: Poisson arrivals,
 * exponential handle times, one chat per agent, one skill everyone has at proficiency 4 (so the
 * handle time is the drawn one). Each run is 41 half-day batches; the first is dropped as warm-up
 * (the system starts empty) and the other 40 give a confidence interval by batch means:
 * mean ± t·s/√40. Half a day is hundreds of mean handle times, so batches are independent for
 * all practical purposes. The file checks 13 intervals; at 99.9% each (Bonferroni), all 13 hold
 * together with probability ≥ 98.7% when the simulator is right. Every run uses the same seed
 * (common random numbers: the staffing levels see the same customers), so the figures are the
 * same on every run.
 */
const BATCH_SECONDS = 12 * 3600;
const BATCHES = 41;
const T_9995_39 = 3.5581; // Student's t, 39 degrees of freedom, two-sided 99.9%
const SEED = 1;

function agents(count: number): SimulatedAgent[] {
  return Array.from({ length: count }, (_, i) => ({
    agentId: `agent-${i + 1}`,
    skills: [{ skill: 'chat', proficiency: 4 }],
    capacity: 1,
  }));
}

const runs = new Map<string, BatchResult[]>();

function run(agentCount: number, meanPatienceSeconds: number): BatchResult[] {
  const key = `${agentCount}/${meanPatienceSeconds}`;
  const known = runs.get(key);
  if (known) return known;
  const result = simulate(
    {
      agents: agents(agentCount),
      arrivals: poissonArrivals({
        ratePerMinute: 100 / 60,
        hours: (BATCHES * BATCH_SECONDS) / 3600,
        skillMix: { chat: 1 },
        meanHandleSeconds: 180,
        meanPatienceSeconds,
        handleDistribution: 'exponential',
        seed: SEED,
      }),
      skills: ['chat'],
      serviceLevelSeconds: 20,
      batchSeconds: BATCH_SECONDS,
    },
    (clock) => new SwitchboardRouter(clock),
  );
  const batches = result.batches!.slice(1);
  runs.set(key, batches);
  return batches;
}

/** The 99.9% interval of a figure's batch means. */
function interval(batches: readonly BatchResult[], figure: (b: BatchResult) => number) {
  const values = batches.map(figure);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  const half = (T_9995_39 * Math.sqrt(variance)) / Math.sqrt(values.length);
  return { mean, half, low: mean - half, high: mean + half };
}

function expectWithin(
  batches: readonly BatchResult[],
  figure: (b: BatchResult) => number,
  theory: number,
  widest: number,
) {
  const ci = interval(batches, figure);
  // A test that could not fail would prove nothing: the interval must also be narrow enough to
  // tell one staffing level from the next (6, 7, 8 agents: SL 47, 74, 88%; ASA 106, 29, 10 s —
  // waits vary most, so ASA is held to ±40%, which still separates neighbours by a factor ≥ 2.9).
  expect(ci.half).toBeLessThan(widest);
  expect({ theory, low: ci.low, high: ci.high, inside: ci.low <= theory && theory <= ci.high }).toEqual(
    expect.objectContaining({ inside: true }),
  );
}

describe('the simulator against queueing theory', () => {
  const load = { arrivalsPerHour: 100, handleSeconds: 180, targetSeconds: 20 };

  it.each([6, 7, 8])('Erlang C with %i agents: P(wait), service level and ASA', (n) => {
    const theory = erlangCFigures(load, n);
    const batches = run(n, Number.POSITIVE_INFINITY);
    expect(batches).toHaveLength(BATCHES - 1);
    expect(batches.every((b) => b.abandonmentPercent === 0)).toBe(true);
    expectWithin(batches, (b) => b.waitedPercent, 100 * theory.waitProbability, 5);
    expectWithin(batches, (b) => b.serviceLevelPercent, 100 * theory.serviceLevel, 5);
    expectWithin(
      batches,
      (b) => b.meanWaitSeconds,
      theory.averageWaitSeconds,
      0.4 * theory.averageWaitSeconds,
    );
  });

  it('Erlang A with 6 agents and 120 s mean patience: abandonment and service level', () => {
    const theory = erlangAFigures({ ...load, patienceSeconds: 120 }, 6);
    const batches = run(6, 120);
    expectWithin(batches, (b) => b.abandonmentPercent, 100 * theory.abandonProbability, 2);
    expectWithin(batches, (b) => b.serviceLevelPercent, 100 * theory.serviceLevel, 3);
    expectWithin(batches, (b) => b.waitedPercent, 100 * theory.waitProbability, 3);
  });

  it('would notice a simulator that is off: 6 agents are not 7', () => {
    const seven = erlangCFigures(load, 7);
    const ci = interval(run(6, Number.POSITIVE_INFINITY), (b) => b.serviceLevelPercent);
    expect(ci.high).toBeLessThan(100 * seven.serviceLevel);
  });
});
