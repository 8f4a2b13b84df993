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
});
