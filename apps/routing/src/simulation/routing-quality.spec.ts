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

  it('holds skill match and balance on every seed from 2 to 10, not only the default one', () => {
    // The baselines stay 30+ points behind on every seed (docs/routing.md has the table); the
    // balance across skills is what varied from seed to seed before the least-load rules.
    for (let seed = 2; seed <= 10; seed++) {
      const switchboard = simulate(
        scenarioSpec({ ...DEFAULT_SCENARIO, seed }),
        (clock) => new SwitchboardRouter(clock),
      );
      expect({ seed, skillMatch: switchboard.skillMatchPercent >= 95 }).toEqual({ seed, skillMatch: true });
      expect({ seed, spread: 100 * (switchboard.occupancy.max - switchboard.occupancy.min) <= 15 }).toEqual({
        seed,
        spread: true,
      });
      expect(switchboard.serviceLevelPercent).toBeGreaterThanOrEqual(90);
    }
  });
});
