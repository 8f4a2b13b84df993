import { erlangB, erlangC, erlangCAgentsFor, erlangCFigures } from './erlang-c.util.js';

describe('Erlang C', () => {
  // The worked example: 100 contacts an hour, 180 s handle time (A = 5 Erlangs), 20 s target.
  const load = { arrivalsPerHour: 100, handleSeconds: 180, targetSeconds: 20 };

  it('reproduces the worked example', () => {
    const six = erlangCFigures(load, 6);
    expect(six.trafficErlangs).toBeCloseTo(5, 12);
    expect(six.waitProbability.toFixed(3)).toBe('0.588');
    expect((100 * six.serviceLevel).toFixed(1)).toBe('47.4');
    expect(six.averageWaitSeconds.toFixed(1)).toBe('105.8');
    expect(six.occupancy).toBeCloseTo(5 / 6, 12);
    expect((100 * erlangCFigures(load, 7).serviceLevel).toFixed(1)).toBe('74.0');
    expect((100 * erlangCFigures(load, 8).serviceLevel).toFixed(1)).toBe('88.0');
  });

  it('matches the factorial formulas where those are exact, and stays finite where they overflow', () => {
    // B(A, N) = (A^N / N!) / Σ_{k≤N} A^k / k!, C from B: small N, exact in floating point.
    const direct = (a: number, n: number) => {
      let term = 1;
      let sum = 1;
      for (let k = 1; k <= n; k++) sum += term *= a / k;
      return term / sum;
    };
    for (const [a, n] of [
      [1, 1],
      [3.5, 4],
      [5, 6],
      [12, 15],
    ] as const)
      expect(erlangB(a, n)).toBeCloseTo(direct(a, n), 14);
    expect(erlangC(5, 6)).toBeCloseTo(0.5875, 4);
    // 1,000 agents: 1000! overflows a double long before this; the recursion does not.
    const big = erlangC(950, 1000);
    expect(Number.isFinite(big) && big > 0 && big < 1).toBe(true);
    expect(erlangC(5, 5)).toBe(1);
    expect(erlangC(0, 3)).toBe(0);
  });

  it('is unstable at or past full load, and sizes staff for a target', () => {
    expect(erlangCFigures(load, 5)).toMatchObject({ serviceLevel: 0, waitProbability: 1 });
    expect(erlangCFigures(load, 5).averageWaitSeconds).toBe(Number.POSITIVE_INFINITY);
    expect(erlangCAgentsFor(load, 0.7)).toBe(7);
    expect(erlangCAgentsFor(load, 0.8)).toBe(8);
    expect(erlangCAgentsFor(load, 0.475)).toBe(7);
    expect(erlangCAgentsFor(load, 0.47)).toBe(6);
    expect(erlangCAgentsFor({ ...load, arrivalsPerHour: 0 }, 0.8)).toBe(0);
    expect(() => erlangB(-1, 3)).toThrow(RangeError);
  });
});
