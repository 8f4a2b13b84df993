import { erlangAFigures } from './erlang-a.util.js';
import { erlangCFigures } from './erlang-c.util.js';

describe('Erlang A', () => {
  const load = { arrivalsPerHour: 100, handleSeconds: 180, targetSeconds: 20 };

  it('reproduces the worked example: 6 agents, 120 s mean patience', () => {
    const six = erlangAFigures({ ...load, patienceSeconds: 120 }, 6);
    expect((100 * six.abandonProbability).toFixed(1)).toBe('11.2');
    expect((100 * six.serviceLevel).toFixed(1)).toBe('73.2');
    // Served work balances: busy agents = λ·(1 − P(abandon))·AHT.
    expect(6 * six.occupancy).toBeCloseTo(5 * (1 - six.abandonProbability), 10);
  });

  it('tends to Erlang C as patience grows', () => {
    const c = erlangCFigures(load, 7);
    const a = erlangAFigures({ ...load, patienceSeconds: 1e9 }, 7);
    expect(a.waitProbability).toBeCloseTo(c.waitProbability, 5);
    expect(a.serviceLevel).toBeCloseTo(c.serviceLevel, 5);
    expect(a.averageWaitSeconds).toBeCloseTo(c.averageWaitSeconds, 2);
    expect(a.abandonProbability).toBeLessThan(1e-6);
  });

  it('stays finite and sensible when overloaded and for large centres', () => {
    // Twice the load the agents can carry: patience keeps the queue stable, half or more leave.
    const over = erlangAFigures({ ...load, arrivalsPerHour: 200, patienceSeconds: 60 }, 5);
    expect(over.abandonProbability).toBeGreaterThan(0.45);
    expect(over.occupancy).toBeGreaterThan(0.95);
    const big = erlangAFigures(
      { arrivalsPerHour: 20_000, handleSeconds: 180, targetSeconds: 20, patienceSeconds: 600 },
      1000,
    );
    for (const v of Object.values(big)) expect(Number.isFinite(v)).toBe(true);
    expect(big.serviceLevel).toBeGreaterThan(0.5);
    expect(big.serviceLevel).toBeLessThanOrEqual(1);
    expect(erlangAFigures({ ...load, arrivalsPerHour: 0, patienceSeconds: 60 }, 2).serviceLevel).toBe(1);
  });
});
