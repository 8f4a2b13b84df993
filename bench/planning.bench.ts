/**
 * `npm run bench:planning`
 *
 * The staffing planner on a week of hourly intervals (168) for one queue, by simulation through
 * the routing core — the queue's routing steps over a team of mixed skills, agents holding two
 * chats each slowed by the concurrency curve, customers leaving after an exponential patience —
 * beside Erlang A on the same week (one chat per agent, no steps), the closed-form baseline. The
 * week repeats its weekdays, as a shape does; a second run makes every hour's arrivals distinct
 * (nothing planned once for several hours), the worst case. Target (issue #22): ≤ 2 s for the
 * week by simulation. Wall and CPU time are both printed: on a shared machine the wall clock
 * includes other processes' turns.
 */
import { planStaffing, type StaffingPlanRequest } from '../apps/routing/src/planning/staffing-planner.js';
import { fmt, formatTable } from './bench.util.js';

// A working week's shape: quiet nights, a morning and an afternoon peak, lighter weekends.
const week = Array.from({ length: 168 }, (_, h) => {
  const day = Math.floor(h / 24);
  const hour = h % 24;
  const daytime = Math.max(0, Math.sin(((hour - 6) / 14) * Math.PI));
  const peak = 1 + 0.3 * Math.exp(-((hour - 10) ** 2) / 4) + 0.2 * Math.exp(-((hour - 15) ** 2) / 4);
  return Math.round((day >= 5 ? 0.5 : 1) * (8 + 140 * daytime * peak));
});

/** The same week, each hour a little different (a recorded history's means are rarely equal). */
const distinctWeek = week.map((n, h) => n + ((h * 37) % 100) / 100);

const base: StaffingPlanRequest = {
  arrivalsByHour: week,
  handleSeconds: 300,
  targetSeconds: 60,
  serviceLevelPercent: 80,
  patienceSeconds: 180,
  maxChats: 2,
  concurrency: [1, 1.35],
  // sim:routing's steps: experts for 60 s, then the fair for 40 s, then anyone.
  steps: [
    { expression: 'billing >= 4', expiresAfterSeconds: 60 },
    { expression: 'billing >= 2', expiresAfterSeconds: 40 },
  ],
  team: [
    { skills: [{ skill: 'billing', proficiency: 5 }], share: 3 },
    { skills: [{ skill: 'billing', proficiency: 3 }], share: 1 },
    { skills: [{ skill: 'tech', proficiency: 4 }], share: 1 },
  ],
};

function run(label: string, request: StaffingPlanRequest) {
  planStaffing({ ...request, arrivalsByHour: week.slice(0, 24) }); // warm-up
  const cpu = process.cpuUsage();
  const started = performance.now();
  const plan = planStaffing(request);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const agentHours = plan.intervals.reduce((sum, i) => sum + i.agentsNeeded, 0);
  const peak = Math.max(...plan.intervals.map((i) => i.agentsNeeded));
  const missed = plan.intervals.filter((i) => i.expected.serviceLevelPercent < 80).length;
  const simulated = plan.intervals.filter((i) => i.method === 'simulation').length;
  return [
    label,
    `${plan.method} (${simulated} h)`,
    String(new Set(request.arrivalsByHour).size),
    `${fmt(wall, 0)} ms`,
    `${fmt((used.user + used.system) / 1000, 0)} ms`,
    fmt(agentHours, 0),
    String(peak),
    String(missed),
  ];
}

const rows = [
  [
    'planner',
    'method (hours simulated)',
    'distinct hours',
    'wall (168 h)',
    'cpu',
    'agent-hours',
    'peak agents',
    'hours < 80%',
  ],
  run('steps + skills, two chats (1, 1.35)', base),
  run('  same, every hour distinct', { ...base, arrivalsByHour: distinctWeek }),
  run('no steps, two chats (1, 1.35)', { ...base, steps: [] }),
  run('steps + skills, one chat', { ...base, maxChats: 1, concurrency: [1] }),
  run('one chat, no steps (baseline)', { ...base, steps: [], maxChats: 1, concurrency: [1] }),
];
process.stdout.write(
  `${week.reduce((a, b) => a + b, 0)} arrivals over 168 h, 300 s handle time, 80% within 60 s, 180 s patience; ` +
    `steps billing >= 4 (60 s) → billing >= 2 (40 s) → anyone over a team 60% billing 5, 20% billing 3, 20% tech 4\n\n` +
    `${formatTable(rows)}\n`,
);
