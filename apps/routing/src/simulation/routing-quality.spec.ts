import { LeastLoadedRouter, RoundRobinRouter } from './baseline-routers.js';
import { DEFAULT_SCENARIO, scenarioSpec } from './default-scenario.js';
import { simulate } from './routing-simulator.js';
import { SwitchboardRouter } from './switchboard-router.js';

/** What `npm run sim:routing` prints with no options, held to the quality targets. */
describe('routing quality on the default scenario', () => {
  it('matches skills ≥ 95%, keeps occupancy within 15 points, and beats both baselines on service level', () => {
    const spec = scenarioSpec(DEFAULT_SCENARIO);
    let router: SwitchboardRouter | undefined;
    const switchboard = simulate(spec, (clock) => (router = new SwitchboardRouter(clock)));
    const roundRobin = simulate(spec, () => new RoundRobinRouter());
    const leastLoaded = simulate(spec, () => new LeastLoadedRouter());
    expect(switchboard.concurrency).toBe(DEFAULT_SCENARIO.concurrency);
    expect(switchboard.skillMatchPercent).toBeGreaterThanOrEqual(95);
    expect(100 * (switchboard.occupancy.max - switchboard.occupancy.min)).toBeLessThanOrEqual(15);
    expect(switchboard.serviceLevelPercent).toBeGreaterThanOrEqual(roundRobin.serviceLevelPercent + 10);
    expect(switchboard.serviceLevelPercent).toBeGreaterThanOrEqual(leastLoaded.serviceLevelPercent + 5);
    // Every decision explained: a reason, and the chosen agent first among the candidates.
    expect(router!.unexplained).toEqual([]);
    expect(switchboard.answered).toBeGreaterThan(3000);
  });
});
