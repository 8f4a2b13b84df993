import { erlangAFigures } from './erlang-a.util.js';
import { planStaffing, type StaffingPlanRequest } from './staffing-planner.js';

describe('staffing planner', () => {
  const base: StaffingPlanRequest = {
    arrivalsByHour: [100],
    handleSeconds: 180,
    targetSeconds: 20,
    serviceLevelPercent: 80,
    patienceSeconds: null,
    maxChats: 1,
    concurrency: [1],
  };

  it('uses Erlang C for one chat at a time with nobody leaving: the worked example', () => {
    const plan = planStaffing({ ...base, scheduled: [6] });
    expect(plan.method).toBe('erlang-c');
    const [hour] = plan.intervals;
    expect(hour).toMatchObject({ hour: 0, arrivals: 100, agentsNeeded: 8, scheduled: 6 });
    expect(hour!.expected.serviceLevelPercent).toBe(88);
    expect(hour!.expectedScheduled).toEqual({
      serviceLevelPercent: 47.4,
      averageWaitSeconds: 105.8,
      occupancyPercent: 83.3,
      abandonPercent: 0,
    });
    // Too few to keep up: the wait grows without bound.
    expect(planStaffing({ ...base, scheduled: [5] }).intervals[0]!.expectedScheduled).toMatchObject({
      serviceLevelPercent: 0,
      averageWaitSeconds: null,
    });
  });

  it('uses Erlang A when customers leave', () => {
    const plan = planStaffing({ ...base, patienceSeconds: 120, serviceLevelPercent: 73, scheduled: [6] });
    expect(plan.method).toBe('erlang-a');
    expect(plan.intervals[0]).toMatchObject({ agentsNeeded: 6 });
    expect(plan.intervals[0]!.expectedScheduled).toMatchObject({
      serviceLevelPercent: 73.2,
      abandonPercent: 11.2,
    });
    // The fewest: 5 agents fall short.
    expect(
      erlangAFigures({ arrivalsPerHour: 100, handleSeconds: 180, targetSeconds: 20, patienceSeconds: 120 }, 5)
        .serviceLevel,
    ).toBeLessThan(0.73);
  });

  it('simulates where agents hold several chats, and its simulation agrees with Erlang at one chat', () => {
    // The simulation method itself, forced by a second chat that costs the full handle time
    // again (f(2) = 2): each agent is then two Erlang servers at half pace — so compare with one.
    const one = planStaffing({ ...base, patienceSeconds: 120, serviceLevelPercent: 70 });
    const simulated = planStaffing({
      ...base,
      patienceSeconds: 120,
      serviceLevelPercent: 70,
      maxChats: 2,
      concurrency: [1, 2],
    });
    expect(simulated.method).toBe('simulation');
    expect(simulated.basis).toContain('up to 2 chats per agent');
    // Two chats at half pace carry what one chat at full pace does: about as many agents.
    expect(
      Math.abs(simulated.intervals[0]!.agentsNeeded - one.intervals[0]!.agentsNeeded),
    ).toBeLessThanOrEqual(1);
  });

  it('needs fewer agents the cheaper a second chat is, and none for an empty hour', () => {
    const needed = (concurrency: number[]) =>
      planStaffing({ ...base, arrivalsByHour: [200, 0], maxChats: 2, concurrency }).intervals.map(
        (i) => i.agentsNeeded,
      );
    const free = needed([1, 1]);
    const honest = needed([1, 1.35]);
    const costly = needed([1, 1.9]);
    expect(free[0]!).toBeLessThan(honest[0]!);
    expect(honest[0]!).toBeLessThan(costly[0]!);
    expect(free[1]).toBe(0);
    const plan = planStaffing({ ...base, arrivalsByHour: [200], maxChats: 2, concurrency: [1, 1.35] });
    const hour = plan.intervals[0]!;
    expect(hour.expected.serviceLevelPercent).toBeGreaterThanOrEqual(80);
    expect(hour.expected.occupancyPercent).toBeGreaterThan(0);
    expect(hour.expected.occupancyPercent).toBeLessThanOrEqual(100);
  });

  it('plans a week of hourly intervals', () => {
    const week = Array.from({ length: 168 }, (_, h) =>
      Math.round(60 + 50 * Math.sin(((h % 24) / 24) * 2 * Math.PI)),
    );
    const plan = planStaffing({
      ...base,
      arrivalsByHour: week,
      maxChats: 2,
      concurrency: [1, 1.35],
      patienceSeconds: 180,
    });
    expect(plan.intervals).toHaveLength(168);
    for (const i of plan.intervals) {
      expect(i.expected.serviceLevelPercent).toBeGreaterThanOrEqual(80);
      if (i.agentsNeeded > 1) {
        // One fewer would miss the target: the fewest, not just enough.
        const fewer = planStaffing({
          ...base,
          arrivalsByHour: [i.arrivals],
          maxChats: 2,
          concurrency: [1, 1.35],
          patienceSeconds: 180,
          scheduled: [i.agentsNeeded - 1],
        });
        expect(fewer.intervals[0]!.expectedScheduled.serviceLevelPercent).toBeLessThan(80);
        break;
      }
    }
    expect(() => planStaffing({ ...base, serviceLevelPercent: 100 })).toThrow(RangeError);
  });

  describe("by simulation through the routing core, with the queue's steps and the team's skills", () => {
    const steps = [
      { expression: 'billing >= 4', expiresAfterSeconds: 30 },
      { expression: 'billing >= 2', expiresAfterSeconds: 30 },
    ];
    const team = [
      { skills: [{ skill: 'billing', proficiency: 5 }], share: 2 },
      { skills: [{ skill: 'billing', proficiency: 3 }], share: 1 },
      { skills: [{ skill: 'tech', proficiency: 4 }], share: 1 },
    ];

    it('needs at least as many agents as Erlang where steps hold some back, and says how each hour was planned', () => {
      const erlang = planStaffing({ ...base, arrivalsByHour: [100, 0, 40] });
      const routed = planStaffing({ ...base, arrivalsByHour: [100, 0, 40], steps, team });
      expect(routed.method).toBe('simulation');
      expect(routed.basis).toContain('routing core');
      expect(routed.basis).toContain('billing >= 4 → billing >= 2');
      expect(routed.intervals.map((i) => i.method)).toEqual(['simulation', 'erlang-c', 'simulation']);
      for (const [i, hour] of routed.intervals.entries()) {
        expect(hour.agentsNeeded).toBeGreaterThanOrEqual(erlang.intervals[i]!.agentsNeeded);
        if (hour.arrivals === 0) continue;
        expect(hour.expected.serviceLevelPercent).toBeGreaterThanOrEqual(80);
        expect(hour.answeredByStepPercent).toHaveLength(3);
        // The fewest the core meets the target with: one fewer falls short.
        const fewer = planStaffing({
          ...base,
          arrivalsByHour: [hour.arrivals],
          steps,
          team,
          scheduled: [hour.agentsNeeded - 1],
        });
        expect(fewer.intervals[0]!.expectedScheduled.serviceLevelPercent).toBeLessThan(80);
      }
      expect(erlang.intervals.every((i) => i.method === 'erlang-c')).toBe(true);
    });

    it('uses Erlang when the steps hold nobody back (every agent meets the first)', () => {
      const experts = [{ skills: [{ skill: 'billing', proficiency: 5 }], share: 1 }];
      const plan = planStaffing({ ...base, steps, team: experts, scheduled: [6] });
      expect(plan.method).toBe('erlang-c');
      expect(plan.intervals[0]!.method).toBe('erlang-c');
      expect(plan.intervals[0]!.agentsNeeded).toBe(8);
      expect(plan.intervals[0]!.answeredByStepPercent).toBeUndefined();
    });

    it("with no steps and one chat agrees with Erlang within the simulation's error", () => {
      // The simulation forced by steps nobody meets for a moment only (1 s), then anyone.
      const brief = [{ expression: 'billing >= 5', expiresAfterSeconds: 1 }];
      const routed = planStaffing({ ...base, arrivalsByHour: [100], steps: brief, team: [], scheduled: [7] });
      expect(routed.method).toBe('simulation');
      expect(Math.abs(routed.intervals[0]!.agentsNeeded - 8)).toBeLessThanOrEqual(1);
      // Erlang C: 74.0% with 7 agents; 1 s of waiting moves few past 20 s.
      expect(Math.abs(routed.intervals[0]!.expectedScheduled.serviceLevelPercent - 74)).toBeLessThan(6);
    });

    it('is deterministic, and plans identical hours alike', () => {
      const request = {
        ...base,
        arrivalsByHour: [80, 120, 80],
        patienceSeconds: 180,
        maxChats: 2,
        concurrency: [1, 1.35],
        steps,
        team,
      };
      const plan = planStaffing(request);
      expect(planStaffing(request)).toEqual(plan);
      expect({ ...plan.intervals[2]!, hour: 0 }).toEqual({ ...plan.intervals[0]!, hour: 0 });
      expect(plan.basis).toContain('up to 2 chats per agent');
    });
  });
});
