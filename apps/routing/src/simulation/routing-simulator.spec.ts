import { generateAgents, poissonArrivals, recordedArrivals } from './arrival-pattern.js';
import { LeastLoadedRouter, RoundRobinRouter } from './baseline-routers.js';
import { simulate } from './routing-simulator.js';
import { SwitchboardRouter } from './switchboard-router.js';

describe('routing-quality simulator', () => {
  const skills = ['billing', 'tech', 'sales'];
  const spec = {
    agents: generateAgents(9, skills, 2, 3),
    arrivals: poissonArrivals({
      ratePerMinute: 4,
      hours: 2,
      skillMix: { billing: 2, tech: 1, sales: 1 },
      meanHandleSeconds: 240,
      meanPatienceSeconds: 180,
      seed: 3,
    }),
    skills,
    serviceLevelSeconds: 60,
  };

  it('runs the real routing core and both baselines on the same arrivals, deterministically', () => {
    const first = simulate(spec, (clock) => new SwitchboardRouter(clock));
    const again = simulate(spec, (clock) => new SwitchboardRouter(clock));
    expect(again).toEqual(first);
    const roundRobin = simulate(spec, () => new RoundRobinRouter());
    const leastLoaded = simulate(spec, () => new LeastLoadedRouter());
    for (const r of [first, roundRobin, leastLoaded]) {
      expect(r.arrivals).toBe(spec.arrivals.length);
      expect(r.answered + r.abandoned).toBe(r.arrivals);
      expect(r.occupancy.max).toBeLessThanOrEqual(1);
    }
    // Routing by skill puts conversations with experts, who finish sooner.
    expect(first.skillMatchPercent).toBeGreaterThan(roundRobin.skillMatchPercent + 20);
    expect(first.meanHandleSeconds).toBeLessThan(leastLoaded.meanHandleSeconds);
  });

  it('hires experts in proportion to the skill mix when given one', () => {
    const agents = generateAgents(30, ['billing', 'tech', 'sales', 'spanish'], 2, 1, {
      billing: 4,
      tech: 3,
      sales: 2,
      spanish: 1,
    });
    const experts = (skill: string) =>
      agents.filter((a) => a.skills[0]!.skill === skill && a.skills[0]!.proficiency >= 4).length;
    expect([experts('billing'), experts('tech'), experts('sales'), experts('spanish')]).toEqual([
      12, 9, 6, 3,
    ]);
    expect(agents.every((a) => a.skills.length === 2 && a.skills[1]!.skill !== a.skills[0]!.skill)).toBe(
      true,
    );
  });

  it('replays a recorded pattern', () => {
    const arrivals = recordedArrivals(
      [
        { at: 10, skill: 'billing', handleSeconds: 100 },
        { at: 0, skill: 'tech', handleSeconds: 50, patienceSeconds: 5 },
      ],
      60,
    );
    expect(arrivals.map((a) => a.skill)).toEqual(['tech', 'billing']);
    const result = simulate(
      {
        agents: generateAgents(1, ['billing'], 1, 1),
        arrivals,
        skills: ['billing', 'tech'],
        serviceLevelSeconds: 20,
      },
      () => new LeastLoadedRouter(),
    );
    // The one agent is busy with tech (1.8 × 50 s) when billing's patience runs out.
    expect(result).toMatchObject({
      answered: 1,
      abandoned: 1,
      serviceLevelPercent: 50,
      meanHandleSeconds: 90,
    });
    expect(() => recordedArrivals([{ at: -1, skill: 'x', handleSeconds: 1 }], 60)).toThrow();
  });
});
