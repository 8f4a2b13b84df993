import { FLAT_CURVE } from '../simulation/concurrency-curve.js';
import { erlangAFigures } from './erlang-a.util.js';
import { erlangCFigures } from './erlang-c.util.js';
import { apportionTeam, simulateRoutedQueue, type RoutedQueueModel } from './routed-queue-simulation.js';

const plain: RoutedQueueModel = {
  arrivalsPerHour: 100,
  handleSeconds: 180,
  patienceSeconds: null,
  targetSeconds: 20,
  maxChats: 1,
  concurrency: FLAT_CURVE,
  steps: [],
  team: [],
};

const billing = (proficiency: number) => [{ skill: 'billing', proficiency }];
const withSteps: RoutedQueueModel = {
  ...plain,
  steps: [
    { expression: 'billing >= 4', expiresAfterSeconds: 30 },
    { expression: 'billing >= 2', expiresAfterSeconds: 30 },
  ],
  team: [
    { skills: billing(5), share: 2 },
    { skills: billing(3), share: 1 },
    { skills: [], share: 1 },
  ],
};

describe('one queue simulated through the routing core', () => {
  it('agrees with Erlang C and A where they apply (one chat, no steps): the worked example', () => {
    // 12,000 customers: the service level's batch-means error is about 1.5 points here.
    const options = { arrivals: 12_000, warmUp: 500, seed: 11 };
    for (const agents of [7, 8]) {
      const simulated = simulateRoutedQueue(plain, agents, options);
      const theory = erlangCFigures(plain, agents);
      expect(Math.abs(simulated.serviceLevel - theory.serviceLevel)).toBeLessThan(0.04);
      expect(Math.abs(simulated.occupancy - theory.occupancy)).toBeLessThan(0.03);
      expect(Math.abs(simulated.averageWaitSeconds - theory.averageWaitSeconds)).toBeLessThan(
        0.25 * theory.averageWaitSeconds + 2,
      );
      expect(simulated.abandonRate).toBe(0);
      expect(simulated.answeredByStep).toEqual([1]);
    }
    const patient = { ...plain, patienceSeconds: 120 };
    const simulated = simulateRoutedQueue(patient, 6, options);
    const theory = erlangAFigures({ ...patient, patienceSeconds: 120 }, 6);
    expect(Math.abs(simulated.abandonRate - theory.abandonProbability)).toBeLessThan(0.025);
    expect(Math.abs(simulated.serviceLevel - theory.serviceLevel)).toBeLessThan(0.04);
  });

  it('lets the core make and explain every decision, widening steps on its own timers', () => {
    const figures = simulateRoutedQueue(withSteps, 9, { arrivals: 3000, warmUp: 300, seed: 5 });
    expect(figures.decisions).toBeGreaterThanOrEqual(3000);
    expect(figures.unexplained).toBe(0);
    // Steps 0 (experts), 1 (fair) and the catch-all all answered some.
    expect(figures.answeredByStep).toHaveLength(3);
    expect(figures.answeredByStep[0]!).toBeGreaterThan(0.5);
    expect(figures.answeredByStep[1]!).toBeGreaterThan(0);
    expect(figures.answeredByStep[2]!).toBeGreaterThan(0);
    expect(figures.answeredByStep.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    // Steps keep agents from the queue's conversations: the same agents answer fewer in time.
    const free = simulateRoutedQueue({ ...withSteps, steps: [] }, 9, {
      arrivals: 3000,
      warmUp: 300,
      seed: 5,
    });
    expect(figures.serviceLevel).toBeLessThan(free.serviceLevel);
  });

  it('is deterministic by seed', () => {
    const options = { arrivals: 1500, warmUp: 150, seed: 42 };
    const model = { ...withSteps, maxChats: 2, concurrency: { source: 'test', factors: [1, 1.35] } };
    expect(simulateRoutedQueue(model, 6, options)).toEqual(simulateRoutedQueue(model, 6, options));
    expect(simulateRoutedQueue(model, 6, { ...options, seed: 43 })).not.toEqual(
      simulateRoutedQueue(model, 6, options),
    );
  });

  it('apportions a team by shares, one agent more adding one to it', () => {
    const team = withSteps.team;
    const count = (agents: number, proficiency: number) =>
      apportionTeam(team, agents).filter((s) => (s[0]?.proficiency ?? 0) === proficiency).length;
    expect([count(8, 5), count(8, 3), count(8, 0)]).toEqual([4, 2, 2]);
    expect(apportionTeam(team, 9)).toHaveLength(9);
    expect(apportionTeam([], 3)).toEqual([[], [], []]);
    expect(simulateRoutedQueue(plain, 0, { arrivals: 10, warmUp: 0, seed: 1 })).toMatchObject({
      serviceLevel: 0,
      averageWaitSeconds: Number.POSITIVE_INFINITY,
    });
  });
});
