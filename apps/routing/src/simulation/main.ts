/**
 * `npm run sim:routing [-- --agents 30 --rate 8 --hours 8 --capacity 2 --seed 1 --sl 60 --arrivals recorded.json --concurrency default|flat|fit|1,1.3,1.7]`
 * `npm run sim:routing -- --seeds 1-10`: the same scenario over several seeds, one line each.
 *
 * Replays one arrival pattern through Switchboard's routing core and through round-robin and
 * least-loaded baselines, and prints what a supervisor sizes staff and tunes steps by.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  generateAgents,
  poissonArrivals,
  recordedArrivals,
  recordedConcurrencyCurve,
} from './arrival-pattern.js';
import {
  DEFAULT_CURVE,
  describeCurve,
  FLAT_CURVE,
  parseConcurrencyCurve,
  type ConcurrencyCurve,
} from './concurrency-curve.js';
import { DEFAULT_SCENARIO } from './default-scenario.js';
import { LeastLoadedRouter, RoundRobinRouter } from './baseline-routers.js';
import { simulate, type SimulationResult } from './routing-simulator.js';
import { SwitchboardRouter } from './switchboard-router.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: String(DEFAULT_SCENARIO.agents) },
    rate: { type: 'string', default: String(DEFAULT_SCENARIO.ratePerMinute) },
    hours: { type: 'string', default: String(DEFAULT_SCENARIO.hours) },
    capacity: { type: 'string', default: String(DEFAULT_SCENARIO.capacity) },
    seed: { type: 'string', default: String(DEFAULT_SCENARIO.seed) },
    sl: { type: 'string', default: String(DEFAULT_SCENARIO.serviceLevelSeconds) },
    handle: { type: 'string', default: String(DEFAULT_SCENARIO.meanHandleSeconds) },
    patience: { type: 'string', default: String(DEFAULT_SCENARIO.meanPatienceSeconds) },
    skills: {
      type: 'string',
      default: Object.entries(DEFAULT_SCENARIO.skillMix)
        .map(([skill, weight]) => `${skill}:${weight}`)
        .join(','),
    },
    arrivals: { type: 'string' },
    concurrency: { type: 'string', default: 'default' },
    json: { type: 'boolean', default: false },
    seeds: { type: 'string' },
  },
});

const number = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
};
const skillMix = Object.fromEntries(
  String(values.skills)
    .split(',')
    .map((entry) => {
      const [skill, weight] = entry.split(':');
      return [skill!.trim(), Number(weight ?? 1)];
    }),
);
const recorded: unknown = values.arrivals ? JSON.parse(readFileSync(values.arrivals, 'utf8')) : undefined;
const concurrency: ConcurrencyCurve = (() => {
  switch (values.concurrency) {
    case 'default':
      return DEFAULT_CURVE;
    case 'flat':
      return FLAT_CURVE;
    case 'fit':
      if (recorded === undefined) throw new Error('--concurrency fit needs --arrivals with heldAtOnce');
      return recordedConcurrencyCurve(recorded);
    default:
      return parseConcurrencyCurve(String(values.concurrency));
  }
})();
const arrivals = recorded
  ? recordedArrivals(recorded, number('patience'), concurrency)
  : poissonArrivals({
      ratePerMinute: number('rate'),
      hours: number('hours'),
      skillMix,
      meanHandleSeconds: number('handle'),
      meanPatienceSeconds: number('patience'),
      seed: number('seed'),
    });
const skills = [...new Set([...Object.keys(skillMix), ...arrivals.map((a) => a.skill)])];
const spec = {
  agents: generateAgents(number('agents'), skills, number('capacity'), number('seed'), skillMix),
  arrivals,
  skills,
  serviceLevelSeconds: number('sl'),
  concurrency,
};

if (values.seeds !== undefined) {
  if (recorded !== undefined) throw new Error('--seeds draws Poisson arrivals: it does not take --arrivals');
  const [low, high = low] = String(values.seeds).split('-').map(Number);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high! < low!)
    throw new Error('--seeds is a range such as 1-10');
  const f = (n: number) => n.toFixed(1);
  const lines = [
    '| seed | SL switchboard | SL round-robin | SL least-loaded | skill match | occupancy min–max | spread |',
    '| ---- | -------------- | -------------- | --------------- | ----------- | ----------------- | ------ |',
  ];
  for (let seed = low!; seed <= high!; seed++) {
    const seeded = {
      ...spec,
      agents: generateAgents(number('agents'), skills, number('capacity'), seed, skillMix),
      arrivals: poissonArrivals({
        ratePerMinute: number('rate'),
        hours: number('hours'),
        skillMix,
        meanHandleSeconds: number('handle'),
        meanPatienceSeconds: number('patience'),
        seed,
      }),
    };
    const [s, rr, ll] = [
      simulate(seeded, (clock) => new SwitchboardRouter(clock)),
      simulate(seeded, () => new RoundRobinRouter()),
      simulate(seeded, () => new LeastLoadedRouter()),
    ];
    lines.push(
      `| ${seed} | ${f(s.serviceLevelPercent)}% | ${f(rr.serviceLevelPercent)}% | ${f(ll.serviceLevelPercent)}% | ` +
        `${f(s.skillMatchPercent)}% | ${f(100 * s.occupancy.min)}–${f(100 * s.occupancy.max)}% | ` +
        `${f(100 * (s.occupancy.max - s.occupancy.min))} |`,
    );
  }
  process.stdout.write(`concurrency: ${describeCurve(concurrency)}\n\n${lines.join('\n')}\n`);
  process.exit(0);
}

const results: SimulationResult[] = [
  simulate(spec, (clock) => new SwitchboardRouter(clock)),
  simulate(spec, () => new RoundRobinRouter()),
  simulate(spec, () => new LeastLoadedRouter()),
];

if (values.json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const f = (n: number, d = 1) => n.toFixed(d);
  const rows = [
    [
      'router',
      `SL ≤${spec.serviceLevelSeconds}s`,
      'mean wait',
      'p90 wait',
      'abandoned',
      'occupancy mean (min–max, sd)',
      'skill match',
      'mean handle',
    ],
    ...results.map((r) => [
      r.router,
      `${f(r.serviceLevelPercent)}%`,
      `${f(r.meanWaitSeconds)} s`,
      `${f(r.p90WaitSeconds)} s`,
      `${f(r.abandonmentPercent)}%`,
      `${f(100 * r.occupancy.mean)}% (${f(100 * r.occupancy.min)}–${f(100 * r.occupancy.max)}, sd ${f(100 * r.occupancy.stdev)})`,
      `${f(r.skillMatchPercent)}%`,
      `${f(r.meanHandleSeconds, 0)} s`,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stdout.write(
    `${arrivals.length} conversations over ${values.arrivals ? 'the recorded pattern' : `${values.hours} h (Poisson, ${values.rate}/min)`}, ` +
      `${spec.agents.length} agents × ${values.capacity}, skills ${JSON.stringify(skillMix)}, seed ${values.seed}\n` +
      `concurrency: ${describeCurve(concurrency)}\n\n` +
      rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n') +
      '\n',
  );
}
