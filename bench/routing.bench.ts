/**
 * `npm run bench:routing [-- <steady-state decisions> <e2e seconds>]`
 *
 * 1. The routing core with 10,000 agents and 100,000 waiting conversations: a conversation is
 *    resolved, its agent takes the next one (the decision timed), a new one arrives — beside a
 *    skill-blind least-loaded router (the open-source peers' approach) on the same workload.
 *    Targets (issue #4): ≥ 20,000 assignments/s, p99 decision ≤ 1 ms.
 * 2. End to end through the real Kafka broker at 500 new conversations/s: conversation event in →
 *    ConversationAssignedV1 out, beside a bare round trip through the bus at the same rate; and
 *    what each conversation cost: the process's CPU and its PostgreSQL round trips (statements).
 */
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  ConversationAssignedV1,
  ConversationMessageAppendedV1,
  ConversationStatusChangedV1,
  ParticipantActivityV1,
  ROUTING_API,
  Topics,
  type RoutingApi,
} from '@switchboard/contracts';
import { KafkaEventBus, MessagingModule } from '@switchboard/messaging';
import { HealthModule, LoggingModule, PlatformConfigModule } from '@switchboard/platform';
import { createTestDatabase } from '@switchboard/testing';
import { RoutingEngine } from '../apps/routing/src/core/routing-engine.js';
import { RoutingAppConfig } from '../apps/routing/src/routing-app.config.js';
import { RoutingModule } from '../apps/routing/src/routing.module.js';
import { RoutingInputConsumer } from '../apps/routing/src/inputs/routing-input.consumer.js';
import { seededRandom } from '../apps/routing/src/simulation/arrival-pattern.js';
import { LeastLoadedRouter } from '../apps/routing/src/simulation/baseline-routers.js';
import { fmt, formatTable, percentile, useBroker } from './bench.util.js';

const DECISIONS = Number(process.argv[2] ?? 50_000);
const E2E_SECONDS = Number(process.argv[3] ?? 10);
const AGENTS = 10_000;
const CAPACITY = 5;
const WAITING = 100_000;
const SKILLS = ['billing', 'tech', 'spanish', 'french', 'sales', 'vip'];
const CHANNELS = ['web', 'sms', 'whatsapp'] as const;
const QUEUES = 8;
/** Conversations opened one at a time, and seconds of nothing, after the end-to-end phase. */
const ONE_BY_ONE = 200;
const IDLE_SECONDS = 5;

interface CoreFigures {
  assignmentsPerSecond: number;
  cpuAssignmentsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
}

function core(): CoreFigures {
  const random = seededRandom(1);
  let now = 0;
  const engine = new RoutingEngine({ clock: () => now, resolvedKeptMs: 0 });
  for (let q = 0; q < QUEUES; q++) {
    const skill = SKILLS[q % SKILLS.length]!;
    engine.upsertQueue({
      id: `q${q}`,
      name: `q${q}`,
      priority: q % 3,
      entry: { channels: [CHANNELS[q % 3]!], languages: q < 3 ? [] : [`l${q}`] },
      steps: [
        { expression: `${skill} >= 4`, expiresAfterSeconds: 30 },
        { expression: `${skill} >= 2`, expiresAfterSeconds: 60 },
      ],
      mode: 'auto',
      offerTimeoutSeconds: 30,
      maxMissedOffers: 3,
      preferredAgent: null,
      createdAt: q,
    });
  }
  for (let i = 0; i < AGENTS; i++) {
    engine.upsertAgent({
      agentId: `a${i}`,
      displayName: `a${i}`,
      skills: SKILLS.filter(() => random() < 0.5).map((skill) => ({
        skill,
        proficiency: 1 + Math.floor(random() * 5),
      })),
      channelCapacity: {},
      defaultChannelCapacity: CAPACITY,
      maxConcurrent: CAPACITY,
      queueIds: [],
    });
    engine.setPresence(`a${i}`, 'online', 'agent', 0);
  }
  let serial = 0;
  // Counter-made ids: the benchmark measures routing, not the random-number generator.
  const nextId = () => `00000000-0000-4000-8000-${(serial++).toString(16).padStart(12, '0')}`;
  const open = () => {
    const q = Math.floor(random() * QUEUES);
    const id = nextId();
    engine.open({
      conversationId: id,
      customerId: nextId(),
      channel: CHANNELS[q % 3]!,
      channelAccountId: null,
      customerAttributes: {},
      hints: q >= 3 ? { language: `l${q}` } : {},
    });
    return id;
  };
  const held: string[] = [];
  const collect = () => {
    let n = 0;
    for (const e of engine.takeEffects()) {
      if (e.kind !== 'assigned') continue;
      held.push(e.conversationId);
      n++;
    }
    return n;
  };
  for (let i = 0; i < AGENTS * CAPACITY + WAITING; i++) {
    now += 1;
    open();
    if (i % 1000 === 0) engine.takeChanges();
  }
  collect();
  engine.takeChanges();
  process.stdout.write(`core: ${held.length} assigned, ${engine.waitingCount()} waiting\n`);

  const times: number[] = [];
  let assignments = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < DECISIONS; i++) {
    now += 10;
    const k = Math.floor(random() * held.length);
    const id = held[k]!;
    held[k] = held[held.length - 1]!;
    held.pop();
    const t = performance.now();
    engine.resolve(id);
    times.push(performance.now() - t);
    assignments += collect();
    open();
    assignments += collect();
    // The service persists every batch: changes are taken as it would.
    if (i % 500 === 0) engine.takeChanges();
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpuSeconds = (() => {
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1e6;
  })();
  times.sort((a, b) => a - b);
  return {
    assignmentsPerSecond: assignments / elapsed,
    cpuAssignmentsPerSecond: assignments / cpuSeconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times[times.length - 1]!,
  };
}

/** The same workload through a skill-blind least-loaded router: a scan of every agent per decision. */
function leastLoaded(): CoreFigures {
  const random = seededRandom(2);
  const router = new LeastLoadedRouter();
  router.start(
    Array.from({ length: AGENTS }, (_, i) => ({ agentId: `a${i}`, skills: [], capacity: CAPACITY })),
  );
  const arrival = () => ({
    conversationId: randomUUID(),
    customerId: '',
    at: 0,
    skill: 'any',
    baseHandleSeconds: 1,
    patienceSeconds: 1,
  });
  const held: string[] = [];
  for (let i = 0; i < AGENTS * CAPACITY + WAITING; i++) router.open(arrival());
  for (const a of router.takeAssignments()) held.push(a.conversationId);
  const decisions = Math.min(DECISIONS, 5_000);
  const times: number[] = [];
  let assignments = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < decisions; i++) {
    const k = Math.floor(random() * held.length);
    const id = held[k]!;
    held[k] = held[held.length - 1]!;
    held.pop();
    const t = performance.now();
    router.finish(id);
    times.push(performance.now() - t);
    router.open(arrival());
    for (const a of router.takeAssignments()) {
      held.push(a.conversationId);
      assignments++;
    }
  }
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  return {
    assignmentsPerSecond: assignments / elapsed,
    cpuAssignmentsPerSecond: assignments / ((used.user + used.system) / 1e6),
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times[times.length - 1]!,
  };
}

/**
 * Every statement the process sends to PostgreSQL (TypeORM's pool and the owner's own connection
 * both query through `pg.Client`): one round trip each, whatever the load.
 */
let statements = 0;
const query = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')!.value as (
  this: pg.Client,
  ...args: unknown[]
) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

async function endToEnd(brokers: string) {
  const database = await createTestDatabase('bench_routing');
  const prefix = `bench-routing-${randomUUID().slice(0, 8)}.`;
  @Module({
    imports: [
      PlatformConfigModule.forRoot(RoutingAppConfig, {
        overrides: {
          LOG_LEVEL: 'error',
          DATABASE_URL: database.url,
          KAFKA_BROKERS: brokers,
          KAFKA_TOPIC_PREFIX: prefix,
        },
      }),
      LoggingModule,
      HealthModule,
      MessagingModule.forRoot(),
      RoutingModule,
    ],
  })
  class BenchRoutingModule {}
  const app = await NestFactory.createApplicationContext(BenchRoutingModule, { logger: false });
  await app.init();
  await app.get(RoutingInputConsumer).assigned;
  const api = app.get<RoutingApi>(ROUTING_API);
  const workspace = randomUUID();
  for (let i = 0; i < 200; i++) {
    await api.upsertAgent(workspace, {
      agentId: `agent-${i}`,
      displayName: `Agent ${i}`,
      skills: [],
      maxConcurrent: CAPACITY,
    });
    await api.setPresence(workspace, `agent-${i}`, 'online', 'agent');
  }
  const bus = new KafkaEventBus({
    brokers: brokers.split(','),
    clientId: 'bench',
    topicPrefix: prefix,
    partitions: 12,
    replicationFactor: 1,
  });
  const sentAt = new Map<string, number>();
  const routed: number[] = [];
  const bare: number[] = [];
  const customers = new Map<string, string>();
  let onRouted: (() => void) | undefined;
  const subscription = await bus.subscribe({
    groupId: 'bench-reader',
    topics: [Topics.routing, Topics.activity],
    accepts: [ConversationAssignedV1, ParticipantActivityV1],
    handleBatch: (batch) => {
      const now = performance.now();
      const resolves = [];
      for (const { event } of batch) {
        if (event.type === ConversationAssignedV1.type) {
          const { conversationId } = event.payload;
          const at = sentAt.get(conversationId);
          if (at !== undefined) routed.push(now - at);
          sentAt.delete(conversationId);
          // The agent finishes at once, so capacity never runs out: the latency is the pipeline's.
          resolves.push(
            ConversationStatusChangedV1.create({
              workspaceId: workspace,
              payload: {
                conversationId,
                customerId: customers.get(conversationId)!,
                status: 'resolved',
                previousStatus: 'open',
                changedBy: { type: 'agent' },
                changedAt: new Date().toISOString(),
              },
            }),
          );
        } else {
          const at = sentAt.get(`bare:${event.payload.conversationId}`);
          if (at !== undefined) bare.push(now - at);
        }
      }
      // Not awaited: the reader must not wait on its own publishes between batches.
      if (resolves.length > 0) void bus.emit(resolves);
      if (resolves.length > 0) onRouted?.();
      return Promise.resolve();
    },
  });
  await subscription.assigned;
  const opened = (topicBare: boolean) => {
    const event = ConversationMessageAppendedV1.create({
      workspaceId: workspace,
      payload: {
        conversationId: randomUUID(),
        customerId: randomUUID(),
        messageId: randomUUID(),
        sequence: 1,
        direction: 'in',
        channel: 'web',
        channelAccountId: null,
        text: 'Hello, I need help with my order',
        attachments: [],
        sender: { type: 'customer' },
        createdAt: new Date().toISOString(),
        openedConversation: true,
      },
    });
    customers.set(event.payload.conversationId, event.payload.customerId);
    sentAt.set(
      topicBare ? `bare:${event.payload.conversationId}` : event.payload.conversationId,
      performance.now(),
    );
    if (!topicBare) return event;
    // The baseline: an event of about the same size on `activity`, a topic routing does not read.
    return ParticipantActivityV1.create({
      workspaceId: workspace,
      payload: {
        conversationId: event.payload.conversationId,
        customerId: event.payload.customerId,
        participant: { type: 'customer', id: event.payload.customerId },
        activity: 'typing',
        at: event.payload.createdAt,
      },
    });
  };
  // Warm up, then 500 conversations a second in 10 ms ticks (5 per tick).
  // Warm up until a conversation goes through, so topics, groups and the owner are in place.
  const warmUpUntil = performance.now() + 30_000;
  while (routed.length === 0 && performance.now() < warmUpUntil) {
    await bus.emit(opened(false));
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 1_000));
  routed.length = 0;
  bare.length = 0;
  const ticks = (E2E_SECONDS * 1000) / 10;
  const cpu = process.cpuUsage();
  const statementsBefore = statements;
  const start = performance.now();
  for (let tick = 0; tick < ticks; tick++) {
    const due = start + tick * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // The baseline rides the same bus, at the same rate, on a topic routing does not read.
    void bus.emit([opened(false), opened(false), opened(false), opened(false), opened(false), opened(true)]);
  }
  const sent = ticks * 5;
  const deadline = performance.now() + 30_000;
  while (routed.length < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const achieved = sent / ((performance.now() - start) / 1000);
  // Drain included (the resolves the reader publishes are routing's work too); the benchmark's own
  // publishing and reading are in it, the same whatever routing does.
  const used = process.cpuUsage(cpu);
  const cpuMsPerConversation = (used.user + used.system) / 1000 / sent;
  const statementsPerConversation = (statements - statementsBefore) / sent;
  const routedAtRate = [...routed];
  // Then one conversation at a time, each waited for (every batch one conversation, as at light
  // load), and a spell of nothing: what each costs whatever the machine's load, as batches at
  // 500/s grow with routing's lag and so depend on it.
  const cost = async (work: () => Promise<void>) => {
    const before = { cpu: process.cpuUsage(), statements, at: performance.now() };
    await work();
    const used = process.cpuUsage(before.cpu);
    return {
      cpuMs: (used.user + used.system) / 1000,
      statements: statements - before.statements,
      seconds: (performance.now() - before.at) / 1000,
    };
  };
  const settle = () => new Promise((r) => setTimeout(r, 1_000));
  await settle();
  const oneByOne = await cost(async () => {
    for (let i = 0; i < ONE_BY_ONE; i++) {
      const assigned = new Promise<void>((resolve) => (onRouted = resolve));
      await bus.emit(opened(false));
      await assigned;
    }
    await settle();
  });
  const idle = await cost(() => new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000)));
  await subscription.stop();
  await bus.close();
  await app.close();
  await database.drop();
  routedAtRate.sort((a, b) => a - b);
  bare.sort((a, b) => a - b);
  return {
    sent,
    routed: routedAtRate,
    bare,
    achieved,
    cpuMsPerConversation,
    statementsPerConversation,
    oneByOne: {
      cpuMs: oneByOne.cpuMs / ONE_BY_ONE,
      // Less what the process spends doing nothing for as long (Kafka's fetches, the owner's
      // polls), which grows with the time each conversation takes, so with the machine's load.
      netCpuMs: (oneByOne.cpuMs - (idle.cpuMs / idle.seconds) * oneByOne.seconds) / ONE_BY_ONE,
      statements: oneByOne.statements / ONE_BY_ONE,
    },
    idle: { cpuMs: idle.cpuMs / IDLE_SECONDS, statements: idle.statements / IDLE_SECONDS },
  };
}

const broker = await useBroker();
// The service first, in a fresh process: the core's 100,000 conversations leave a heap whose
// collection would otherwise land in the end-to-end figures.
const e2e = E2E_SECONDS > 0 ? await endToEnd(broker.brokers) : undefined;
const ours = core();
const baseline = leastLoaded();
const row = (name: string, f: CoreFigures) => [
  name,
  fmt(f.assignmentsPerSecond, 0),
  fmt(f.cpuAssignmentsPerSecond, 0),
  fmt(f.p50 * 1000, 1),
  fmt(f.p99 * 1000, 1),
  fmt(f.max, 1),
];
process.stdout.write(
  `\nrouting core, ${AGENTS.toLocaleString('en-US')} agents × ${CAPACITY}, ${WAITING.toLocaleString('en-US')} waiting, ${DECISIONS.toLocaleString('en-US')} decisions\n` +
    formatTable([
      [
        'router',
        'assignments/s (wall)',
        'assignments/s (CPU)',
        'decision p50 µs',
        'decision p99 µs',
        'max ms',
      ],
      row('switchboard (skills, steps, occupancy, idle)', ours),
      row('least-loaded scan (baseline)', baseline),
    ]) +
    '\n',
);
if (e2e)
  process.stdout.write(
    `\nend to end through Kafka, ${fmt(e2e.achieved, 0)} conversations/s for ${E2E_SECONDS} s (${e2e.routed.length}/${e2e.sent} assigned)\n` +
      formatTable([
        ['path', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        [
          'conversation event → ConversationAssignedV1',
          ...[50, 90, 99, 100].map((p) => fmt(percentile(e2e.routed, p), 1)),
        ],
        ['bare bus round trip (baseline)', ...[50, 90, 99, 100].map((p) => fmt(percentile(e2e.bare, p), 1))],
      ]) +
      `\nper conversation (opened, assigned, resolved; drain included): ${fmt(e2e.cpuMsPerConversation, 2)} ms of the process's CPU, ` +
      `${fmt(e2e.statementsPerConversation, 2)} PostgreSQL statements\n` +
      `one at a time (${ONE_BY_ONE}, each waited for): ${fmt(e2e.oneByOne.cpuMs, 2)} ms of CPU (${fmt(e2e.oneByOne.netCpuMs, 2)} beyond idling), ${fmt(e2e.oneByOne.statements, 1)} statements per conversation; ` +
      `idle: ${fmt(e2e.idle.cpuMs, 1)} ms of CPU, ${fmt(e2e.idle.statements, 1)} statements per second\n`,
  );
await broker.stop();
process.exit(0);
