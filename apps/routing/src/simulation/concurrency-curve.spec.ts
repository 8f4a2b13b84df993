import {
  concurrencyCurve,
  DEFAULT_CURVE,
  describeCurve,
  fitConcurrencyCurve,
  FLAT_CURVE,
  parseConcurrencyCurve,
  slowdown,
} from './concurrency-curve.js';
import { generateAgents, recordedArrivals, recordedConcurrencyCurve } from './arrival-pattern.js';
import { simulate } from './routing-simulator.js';
import { LeastLoadedRouter } from './baseline-routers.js';

describe('concurrency curve', () => {
  it('multiplies handle time by the chats held, continuing its last step beyond its end', () => {
    expect(slowdown(DEFAULT_CURVE, 1)).toBe(1);
    expect(slowdown(DEFAULT_CURVE, 2)).toBe(1.35);
    expect(slowdown(DEFAULT_CURVE, 4)).toBe(2.2);
    expect(slowdown(DEFAULT_CURVE, 6)).toBeCloseTo(3.1, 12);
    expect(slowdown(FLAT_CURVE, 5)).toBe(1);
    expect(parseConcurrencyCurve('1, 1.5').factors).toEqual([1, 1.5]);
    expect(() => parseConcurrencyCurve('1.2,1.5')).toThrow(/starts at 1/);
    expect(() => concurrencyCurve([1, 1.4, 1.3], 'x')).toThrow(/never decreases/);
    expect(describeCurve(DEFAULT_CURVE)).toContain('1.35');
  });

  it('is fitted from history: mean handle by chats held ÷ the mean alone, ending where data runs out', () => {
    const records = [
      ...Array.from({ length: 40 }, (_, i) => ({ heldAtOnce: 1, handleSeconds: 200 + (i % 2 ? 20 : -20) })),
      ...Array.from({ length: 40 }, () => ({ heldAtOnce: 2, handleSeconds: 260 })),
      ...Array.from({ length: 5 }, () => ({ heldAtOnce: 3, handleSeconds: 900 })),
    ];
    const curve = fitConcurrencyCurve(records);
    expect(curve.factors).toEqual([1, 1.3]);
    expect(curve.source).toBe('fitted from 85 recorded chats');
    expect(() => fitConcurrencyCurve(records.slice(40))).toThrow(/handled alone/);
  });
});

describe('the simulator with a concurrency curve', () => {
  const curve = concurrencyCurve([1, 1.5], 'test');
  const agents = generateAgents(1, ['billing'], 2, 1).map((a) => ({
    ...a,
    skills: [{ skill: 'billing', proficiency: 4 }],
  }));
  const run = (records: object[], concurrency = curve) =>
    simulate(
      {
        agents,
        arrivals: recordedArrivals(records, 1e6),
        skills: ['billing'],
        serviceLevelSeconds: 20,
        concurrency,
      },
      () => new LeastLoadedRouter(),
    );

  it('slows every chat while two are held, and lets the survivor speed up again', () => {
    // Two 100 s chats from t = 0: both at pace 1/1.5, both end at 150 s.
    expect(
      run([
        { at: 0, skill: 'billing', handleSeconds: 100 },
        { at: 0, skill: 'billing', handleSeconds: 100 },
      ]),
    ).toMatchObject({ meanHandleSeconds: 150, concurrency: curve });
    // At 0 and 50: the first has 50 s left at t = 50, done at pace 1/1.5 by t = 125; the second
    // did 50 s of work by then and finishes its last 50 alone at t = 175. Each took 125 s.
    expect(
      run([
        { at: 0, skill: 'billing', handleSeconds: 100 },
        { at: 50, skill: 'billing', handleSeconds: 100 },
      ]).meanHandleSeconds,
    ).toBeCloseTo(125, 9);
    expect(
      run(
        [
          { at: 0, skill: 'billing', handleSeconds: 100 },
          { at: 0, skill: 'billing', handleSeconds: 100 },
        ],
        FLAT_CURVE,
      ).meanHandleSeconds,
    ).toBe(100);
  });

  it('replays recorded handle times as work, the slowdown they were recorded under taken out', () => {
    const recorded = [
      ...Array.from({ length: 30 }, (_, i) => ({
        at: i * 1000,
        skill: 'billing',
        handleSeconds: 100,
        heldAtOnce: 1,
      })),
      ...Array.from({ length: 30 }, (_, i) => ({
        at: 40_000 + i * 1000,
        skill: 'billing',
        handleSeconds: 150,
        heldAtOnce: 2,
      })),
    ];
    const fitted = recordedConcurrencyCurve(recorded);
    expect(fitted.factors).toEqual([1, 1.5]);
    expect(recordedArrivals(recorded, 60, fitted).every((a) => a.baseHandleSeconds === 100)).toBe(true);
  });
});
