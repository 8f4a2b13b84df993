import { randomUUID } from 'node:crypto';
import {
  ConversationAssignedV1,
  ConversationUnassignedV1,
  type Channel,
  type EventEnvelope,
} from '@switchboard/contracts';
import { createTestDatabase, settle, testRunId, waitFor, type TestDatabase } from '@switchboard/testing';
import pg from 'pg';
import { parseEligibilityExpression } from '../src/core/eligibility-expression.js';
import type { ConversationSnapshot } from '../src/core/routing-types.js';
import {
  openedEvent,
  resolvedEvent,
  routingTestBus,
  startRoutingInstance,
  type RoutingInstance,
} from './routing-instance.util.js';

/**
 * The invariants, shown against the real service: two instances on the same topics, restarted
 * while conversations arrive, agents coming and going, offers answered, rejected or left to time
 * out. Seeded; ROUTING_SIM_CONVERSATIONS makes it larger (default sized for CI on 2 cores).
 */
const CONVERSATIONS = Number(process.env.ROUTING_SIM_CONVERSATIONS ?? 600);
const SEED = Number(process.env.ROUTING_SIM_SEED ?? 7);
const ARRIVAL_MS = 25;
const MAX_CONCURRENT = [2, 3];

interface AgentSpec {
  agentId: string;
  billing: number;
  maxConcurrent: number;
}

describe('routing invariants (seeded simulation against the real service)', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let io: Awaited<ReturnType<typeof routingTestBus>>;
  let db: pg.Client;
  const instances: (RoutingInstance | undefined)[] = [undefined, undefined];
  const workspace = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase('routing_invariants');
    const prefix = `${testRunId()}-routing-inv-${randomUUID().slice(0, 6)}.`;
    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: '3',
      ROUTING_DISCONNECT_GRACE_SECONDS: '1',
      ROUTING_TRANSFER_WAIT_SECONDS: '2',
    };
    io = await routingTestBus(prefix);
    instances[0] = await startRoutingInstance(env);
    instances[1] = await startRoutingInstance(env);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    for (const instance of instances) await instance?.close();
    await io?.close();
    await db?.end();
    await database?.drop();
  });

  it(
    'never overfills an agent, never double-assigns, serves first come first served, leaves nobody waiting beside a free eligible agent, loses nothing',
    async () => {
      let seed = SEED;
      const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
      const api = () => (instances[0] ?? instances[1])!.api;

      await api().upsertQueue(workspace, { id: 'general', name: 'General', entry: { channels: ['web'] } });
      await api().upsertQueue(workspace, {
        id: 'billing',
        name: 'Billing',
        priority: 2,
        entry: { channels: ['sms'] },
        steps: [{ expression: 'billing >= 4', expiresAfterSeconds: 2 }],
        mode: 'offer',
        offerTimeoutSeconds: 2,
        maxMissedOffers: 2,
      });
      const agents = new Map<string, AgentSpec>();
      const addAgent = async (i: number) => {
        const spec = { agentId: `agent-${i}`, billing: 1 + (i % 5), maxConcurrent: MAX_CONCURRENT[i % 2]! };
        agents.set(spec.agentId, spec);
        await api().upsertAgent(workspace, {
          agentId: spec.agentId,
          displayName: spec.agentId,
          skills: [{ skill: 'billing', proficiency: spec.billing }],
          channelCapacity: { sms: 1 },
          defaultChannelCapacity: 3,
          maxConcurrent: spec.maxConcurrent,
        });
        await api().setPresence(workspace, spec.agentId, 'online', 'agent');
      };
      for (let i = 0; i < 10; i++) await addAgent(i);

      const opened = new Map<string, { customerId: string; channel: Channel; priority: number }>();
      const resolvePublishedAt = new Map<string, number>();
      const handled = new Set<string>();
      const pending: Promise<unknown>[] = [];
      const later = (ms: number, work: () => Promise<unknown>) =>
        pending.push(new Promise((resolve) => setTimeout(resolve, ms)).then(work).catch(() => undefined));
      const resolve = async (conversationId: string) => {
        if (resolvePublishedAt.has(conversationId)) return;
        resolvePublishedAt.set(conversationId, Date.now());
        await io.emit(resolvedEvent(workspace, conversationId, opened.get(conversationId)!.customerId));
      };
      /** Agents act on what routing tells them: answer offers (or not), resolve after a while. */
      const react = () => {
        for (const event of io.outputs) {
          if (handled.has(event.id) || event.type !== ConversationAssignedV1.type) continue;
          handled.add(event.id);
          const { conversationId, agentId, mode } = (event as ConversationAssignedV1).payload;
          if (mode === 'offer') {
            const r = random();
            if (r < 0.6)
              later(random() * 500, () => api().answerOffer(workspace, conversationId, agentId, true));
            else if (r < 0.8)
              later(random() * 500, () => api().answerOffer(workspace, conversationId, agentId, false));
          } else {
            later(500 + random() * 2500, () => resolve(conversationId));
          }
        }
      };

      const restartAt = new Set([Math.floor(CONVERSATIONS * 0.3), Math.floor(CONVERSATIONS * 0.6)]);
      let nextAgent = 10;
      for (let n = 0; n < CONVERSATIONS; n++) {
        const channel: Channel = random() < 0.6 ? 'web' : 'sms';
        const priority = channel === 'web' && random() < 0.2 ? 1 : 0;
        const event = openedEvent(workspace, { channel, hints: priority ? { priority: '1' } : {} });
        opened.set(event.payload.conversationId, { customerId: event.payload.customerId, channel, priority });
        await io.emit(event);
        if (random() < 0.08) {
          const presence = pick(['online', 'online', 'away', 'offline'] as const);
          const agentId = pick([...agents.keys()]);
          await api()
            .setPresence(workspace, agentId, presence, presence === 'offline' ? 'connection' : 'agent')
            .catch(() => undefined);
        }
        if (n === Math.floor(CONVERSATIONS * 0.5)) {
          await addAgent(nextAgent++);
          await addAgent(nextAgent++);
        }
        if (n === Math.floor(CONVERSATIONS * 0.7)) {
          const removed = pick([...agents.keys()]);
          agents.delete(removed);
          await api().removeAgent(workspace, removed);
        }
        if (restartAt.has(n)) {
          // Restart one instance while the other keeps going; the next restart takes the other.
          const which = n === Math.floor(CONVERSATIONS * 0.3) ? 0 : 1;
          const instance = instances[which]!;
          instances[which] = undefined;
          await instance.close();
          instances[which] = await startRoutingInstance(env);
        }
        react();
        await new Promise((r) => setTimeout(r, ARRIVAL_MS));
      }

      // Everyone online; let routing and the agents settle.
      for (const agentId of agents.keys()) await api().setPresence(workspace, agentId, 'online', 'agent');
      const quiet = async () => {
        const { rows } = await db.query<{ behind: boolean; outbox: string }>(
          `SELECT (SELECT coalesce(max(seq), 0) FROM routing.inputs WHERE workspace_id = $1) >
                  (SELECT applied_seq FROM routing.workspaces WHERE workspace_id = $1) AS behind,
                  (SELECT count(*) FROM routing.outbox) AS outbox`,
          [workspace],
        );
        return !rows[0]!.behind && rows[0]!.outbox === '0';
      };
      await waitFor(quiet, { timeoutMs: 60_000, what: 'routing to apply its journal' });
      await settle(500);
      await waitFor(quiet, { timeoutMs: 60_000, what: 'routing to apply its journal' });

      // Nobody waits beside an agent who could take them (checked on the persisted state).
      const waitingProblems = await waitingWhileAgentFree(db, workspace);
      expect(waitingProblems).toEqual([]);

      // Now resolve everything, as agents finish their work: nothing may be lost on the way.
      const deadline = Date.now() + 90_000;
      for (;;) {
        react();
        const { rows } = await db.query<{ conversation_id: string; state: string }>(
          'SELECT conversation_id, state FROM routing.conversations WHERE workspace_id = $1',
          [workspace],
        );
        const states = new Map(rows.map((r) => [r.conversation_id, r.state]));
        for (const [id, state] of states) if (state === 'assigned') await resolve(id);
        for (const [id, state] of states)
          if (state === 'offered')
            await api()
              .answerOffer(workspace, id, (await api().getDecision(workspace, id)).agentId!, true)
              .catch(() => undefined);
        const missing = [...opened.keys()].filter((id) => !states.has(id));
        const unresolved = [...opened.keys()].filter((id) => states.get(id) !== 'resolved');
        if (missing.length === 0 && unresolved.length === 0) break;
        if (Date.now() > deadline) {
          const { rows: journaled } = await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM routing.inputs WHERE payload->'arrival'->>'conversationId' = ANY($1)`,
            [missing],
          );
          throw new Error(
            `${journaled[0]!.n} of the missing are in the journal; ` +
              `not every conversation resolved: ${missing.length} missing, ${unresolved.length} unresolved`,
          );
        }
        await settle(300);
      }
      await Promise.all(pending);
      await settle(1_000);

      const { rows: journal } = await db.query<{ id: string }>(
        `SELECT payload->'arrival'->>'conversationId' AS id FROM routing.inputs
         WHERE workspace_id = $1 AND type = 'conversation.opened' ORDER BY seq`,
        [workspace],
      );
      const arrival = new Map(journal.map((r, i) => [r.id, i]));
      expect(arrival.size).toBe(CONVERSATIONS);
      const outputs = io.outputs.filter((e) => e.workspaceId === workspace);
      const report = checkEventStream(outputs, {
        capacity: (agentId) => agents.get(agentId)?.maxConcurrent ?? Math.max(...MAX_CONCURRENT),
        resolvePublishedAt,
        opened,
        arrival,
      });
      expect(report.problems).toEqual([]);
      // The run exercised what it claims to.
      expect(report.counts.assigned).toBeGreaterThan(CONVERSATIONS * 0.8);
      expect(report.counts.offers).toBeGreaterThan(0);
      expect(report.counts.unassigned.offer_timeout ?? 0).toBeGreaterThan(0);
      expect(report.counts.unassigned.offer_rejected ?? 0).toBeGreaterThan(0);
      expect(
        (report.counts.unassigned.agent_away ?? 0) + (report.counts.unassigned.agent_offline ?? 0),
      ).toBeGreaterThan(0);
      process.stdout.write(
        `routing invariants: ${CONVERSATIONS} conversations, seed ${SEED}: ${JSON.stringify(report.counts)}\n`,
      );
    },
    Math.max(240_000, CONVERSATIONS * 400),
  );
});

/** Replays routing's decisions in order (one partition per workspace) and checks them. */
function checkEventStream(
  events: readonly EventEnvelope[],
  context: {
    capacity: (agentId: string) => number;
    resolvePublishedAt: ReadonlyMap<string, number>;
    opened: ReadonlyMap<string, { channel: Channel; priority: number }>;
    arrival: ReadonlyMap<string, number>;
  },
) {
  const problems: string[] = [];
  const holder = new Map<string, string>();
  const firstAssigned = new Set<string>();
  const counts = { assigned: 0, offers: 0, unassigned: {} as Record<string, number> };
  // First come first served in the general queue: per priority, first assignments in arrival order.
  const generalWaiting = new Map<number, string[]>();
  for (const [id, spec] of [...context.opened].sort(
    (a, b) => context.arrival.get(a[0])! - context.arrival.get(b[0])!,
  )) {
    if (spec.channel !== 'web') continue;
    const line = generalWaiting.get(spec.priority) ?? [];
    line.push(id);
    generalWaiting.set(spec.priority, line);
  }
  for (const event of events) {
    if (event.type === ConversationUnassignedV1.type) {
      const { conversationId, agentId, reason } = (event as ConversationUnassignedV1).payload;
      counts.unassigned[reason] = (counts.unassigned[reason] ?? 0) + 1;
      if (holder.get(conversationId) !== agentId)
        problems.push(`${conversationId} unassigned from ${agentId}, held by ${holder.get(conversationId)}`);
      holder.delete(conversationId);
      continue;
    }
    if (event.type !== ConversationAssignedV1.type) continue;
    const { conversationId, agentId, mode, assignedAt, queueId } = (event as ConversationAssignedV1).payload;
    if (mode === 'offer') counts.offers++;
    else counts.assigned++;
    const current = holder.get(conversationId);
    if (current !== undefined && current !== agentId)
      problems.push(`${conversationId} given to ${agentId} while ${current} holds it`);
    if (current === agentId) continue; // an accepted offer: the same holding
    holder.set(conversationId, agentId);
    // Capacity, counted conservatively: a conversation whose resolve was published before this
    // decision may already be free in routing's view, so it is not counted.
    const at = Date.parse(assignedAt);
    const held = [...holder].filter(
      ([c, a]) => a === agentId && !((context.resolvePublishedAt.get(c) ?? Infinity) < at),
    );
    if (held.length > context.capacity(agentId))
      problems.push(`${agentId} holds ${held.length} > ${context.capacity(agentId)} at ${assignedAt}`);
    const sms = held.filter(([c]) => context.opened.get(c)?.channel === 'sms').length;
    if (sms > 1) problems.push(`${agentId} holds ${sms} SMS conversations > 1 at ${assignedAt}`);
    if (queueId === 'general' && !firstAssigned.has(conversationId)) {
      const line = generalWaiting.get(context.opened.get(conversationId)!.priority)!;
      const head = line.find((id) => !firstAssigned.has(id));
      if (head !== conversationId) {
        const later = events.find(
          (e) =>
            e.type === ConversationAssignedV1.type &&
            (e as ConversationAssignedV1).payload.conversationId === head,
        ) as ConversationAssignedV1 | undefined;
        problems.push(
          `first come first served: ${conversationId} (arrival ${context.arrival.get(conversationId)}) served at ${assignedAt} ` +
            `by ${agentId} (${(event as ConversationAssignedV1).payload.explanation.reason}) before ${head} ` +
            `(arrival ${context.arrival.get(head!)}), served at ${later?.payload.assignedAt} by ${later?.payload.agentId} (${later?.payload.explanation.reason})`,
        );
      }
    }
    firstAssigned.add(conversationId);
  }
  return { problems, counts };
}

/** Waiting conversations that an online agent with free capacity was eligible to take. */
async function waitingWhileAgentFree(db: pg.Client, workspaceId: string): Promise<string[]> {
  const { rows: conversations } = await db.query<{ snapshot: ConversationSnapshot }>(
    `SELECT snapshot FROM routing.conversations WHERE workspace_id = $1 AND state = 'waiting'`,
    [workspaceId],
  );
  const { rows: agents } = await db.query<{
    agent_id: string;
    skills: { skill: string; proficiency: number }[];
    presence: string;
    grace_until: string | null;
    load: number;
    load_by_channel: Record<string, number>;
    max_concurrent: number;
  }>(
    `SELECT a.agent_id, a.skills, a.max_concurrent, s.presence, s.grace_until, s.load, s.load_by_channel
     FROM routing.agents a JOIN routing.agent_states s USING (workspace_id, agent_id) WHERE a.workspace_id = $1`,
    [workspaceId],
  );
  const { rows: queues } = await db.query<{
    id: string;
    steps: { expression: string; expiresAfterSeconds: number | null }[];
  }>('SELECT id, steps FROM routing.queues WHERE workspace_id = $1', [workspaceId]);
  const now = Date.now();
  const problems: string[] = [];
  for (const { snapshot: c } of conversations) {
    if (c.reservation && c.reservation.until > now) continue;
    const steps = queues.find((q) => q.id === c.queueId)?.steps ?? [];
    let elapsed = 0;
    let expression = 'TRUE';
    for (const step of steps) {
      if (
        step.expiresAfterSeconds === null ||
        now - c.arrivedAt < elapsed + step.expiresAfterSeconds * 1000
      ) {
        expression = step.expression;
        break;
      }
      elapsed += step.expiresAfterSeconds * 1000;
    }
    // A step boundary passing right now is processing delay, not a violation.
    if (steps.length > 0 && Math.abs(now - c.arrivedAt - elapsed) < 1_000) continue;
    const eligible = parseEligibilityExpression(expression);
    for (const a of agents) {
      const free =
        a.presence === 'online' &&
        a.grace_until === null &&
        a.load < a.max_concurrent &&
        (a.load_by_channel[c.channel] ?? 0) < (c.channel === 'sms' ? 1 : 3);
      if (
        free &&
        !c.declined.includes(a.agent_id) &&
        eligible.matches(new Map(a.skills.map((s) => [s.skill, s.proficiency])))
      ) {
        problems.push(
          `${c.conversationId} (${c.queueId}) waits while ${a.agent_id} is free and eligible (${expression})`,
        );
      }
    }
  }
  return problems;
}
