import type { AgentSkill, RoutingStep } from '@switchboard/contracts';
import { RoutingEngine } from '../core/routing-engine.js';
import type { ConversationArrival } from '../core/routing-types.js';
import { seededRandom } from '../simulation/arrival-pattern.js';
import { slowdown, type ConcurrencyCurve } from '../simulation/concurrency-curve.js';

/** One queue in steady state, as the planner models an hourly interval. */
export interface QueueModel {
  readonly arrivalsPerHour: number;
  /** Mean handle time of a chat handled alone (exponential). */
  readonly handleSeconds: number;
  /** Mean patience (exponential); null: nobody leaves. */
  readonly patienceSeconds: number | null;
  readonly targetSeconds: number;
  /** Chats an agent may hold at once. */
  readonly maxChats: number;
  readonly concurrency: ConcurrencyCurve;
}

export interface QueueFigures {
  /** Share of arrivals answered within the target, 0–1 (those who leave count as missed). */
  readonly serviceLevel: number;
  /** Mean time in queue over all arrivals: 0 for those answered at once, patience for those who left. */
  readonly averageWaitSeconds: number;
  /** Time-weighted chats held ÷ (agents × maxChats), 0–1. */
  readonly occupancy: number;
  readonly abandonRate: number;
}

/** Agents alike in skills, and their share of whoever is scheduled. */
export interface TeamProfile {
  readonly skills: readonly AgentSkill[];
  /** Relative weight, > 0: a team of N is apportioned by these. */
  readonly share: number;
}

/** One queue as routing runs it: its steps, and the skills of the agents who serve it. */
export interface RoutedQueueModel extends QueueModel {
  readonly steps: readonly RoutingStep[];
  readonly team: readonly TeamProfile[];
}

export interface RoutedQueueFigures extends QueueFigures {
  /** Decisions the core made (assignments) over the measured arrivals and the warm-up. */
  readonly decisions: number;
  /** Of them, any whose explanation does not give a reason and name the chosen agent first. */
  readonly unexplained: number;
  /** Share of answered measured arrivals decided at each step (the last: every agent of the queue). */
  readonly answeredByStep: readonly number[];
}

const QUEUE_ID = 'planned';
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});
const HINTS: Readonly<Record<string, string>> = Object.freeze({ queue: QUEUE_ID });

/**
 * `agents` agents drawn from the team's profiles in proportion to their shares (largest
 * remainder, ties to the earlier profile): the same N always gives the same team, and N + 1 adds
 * one agent to it.
 */
export function apportionTeam(team: readonly TeamProfile[], agents: number): (readonly AgentSkill[])[] {
  if (team.length === 0) return Array.from({ length: agents }, () => []);
  const total = team.reduce((sum, p) => sum + p.share, 0);
  const counts = team.map((p) => Math.floor((agents * p.share) / total));
  const remainders = team
    .map((p, i) => ({ i, r: (agents * p.share) / total - counts[i]! }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0, left = agents - counts.reduce((a, b) => a + b, 0); k < left; k++)
    counts[remainders[k % remainders.length]!.i]!++;
  const skills: (readonly AgentSkill[])[] = [];
  // Interleaved, so the agent ids (the core's last tie-break) do not favour one profile.
  for (let round = 0; skills.length < agents; round++)
    team.forEach((p, i) => {
      if (round < counts[i]!) skills.push(p.skills);
    });
  return skills;
}

/**
 * One queue simulated through the real routing core (`RoutingEngine`, as the routing service runs
 * it): the queue's steps widen on the core's own timers, the core picks every agent and explains
 * it, and agents hold up to `maxChats` chats whose work progresses at 1 ÷ f(k) while they hold k
 * (the concurrency curve). Poisson arrivals, exponential work and patience, on a fixed seed so
 * staffing levels are compared on the same customers. Handle time does not depend on who
 * answers: the queue's mean handle time already averages its team's speeds, and the steps' effect
 * planned here is who may answer when.
 *
 * Built for speed — a week is 168 of these per staffing level tried: no snapshots are built
 * (`discardChanges`), events live in typed arrays, and the core keeps no resolved conversation.
 */
export function simulateRoutedQueue(
  model: RoutedQueueModel,
  agents: number,
  options: { arrivals: number; warmUp: number; seed: number },
): RoutedQueueFigures {
  const steps = model.steps.length + 1;
  if (model.arrivalsPerHour <= 0)
    return {
      serviceLevel: 1,
      averageWaitSeconds: 0,
      occupancy: 0,
      abandonRate: 0,
      decisions: 0,
      unexplained: 0,
      answeredByStep: new Array<number>(steps).fill(0),
    };
  if (agents <= 0) {
    const leave = model.patienceSeconds !== null;
    return {
      serviceLevel: 0,
      averageWaitSeconds: leave ? model.patienceSeconds : Number.POSITIVE_INFINITY,
      occupancy: 0,
      abandonRate: leave ? 1 : 0,
      decisions: 0,
      unexplained: 0,
      answeredByStep: new Array<number>(steps).fill(0),
    };
  }
  const random = seededRandom(options.seed);
  const exp = () => -Math.log(1 - random());
  const meanGapMs = 3_600_000 / model.arrivalsPerHour;
  const handleMs = model.handleSeconds * 1000;
  const patienceMs = model.patienceSeconds === null ? Number.POSITIVE_INFINITY : model.patienceSeconds * 1000;
  const targetMs = model.targetSeconds * 1000;
  const slots = Math.max(1, model.maxChats);
  const factors = Array.from({ length: slots + 1 }, (_, k) => slowdown(model.concurrency, k));
  const total = options.warmUp + options.arrivals;

  let now = 0;
  const engine = new RoutingEngine({ clock: () => now, resolvedKeptMs: 0, explainRunnersUp: 0 });
  engine.upsertQueue({
    id: QUEUE_ID,
    name: QUEUE_ID,
    priority: 0,
    entry: { namedOnly: true },
    steps: model.steps,
    mode: 'auto',
    offerTimeoutSeconds: 30,
    maxMissedOffers: 3,
    preferredAgent: null,
    createdAt: 0,
  });
  const team = apportionTeam(model.team, agents);
  for (let a = 0; a < agents; a++) {
    engine.upsertAgent({
      agentId: String(a),
      displayName: String(a),
      skills: team[a]!,
      channelCapacity: { web: slots },
      defaultChannelCapacity: 0,
      maxConcurrent: slots,
      queueIds: [],
    });
    engine.setPresence(String(a), 'online', 'agent', 0);
  }
  engine.takeEffects();
  engine.discardChanges();

  // Conversations by index (= arrival order): arrival, patience deadline, agent (-1: waiting,
  // -2: settled), work left (ms alone) and the version of its end event.
  const arrivedAt = new Float64Array(total);
  const deadline = new Float64Array(total);
  const agentOf = new Int32Array(total).fill(-1);
  const workLeft = new Float64Array(total);
  const version = new Int32Array(total);
  const held: number[][] = Array.from({ length: agents }, () => []);
  const since = new Float64Array(agents);

  // Events (chat ends and patience deadlines): a binary heap over parallel arrays; kind 0 ends a
  // chat (stale when its version moved on), 1 is a customer's patience running out.
  const heapAt: number[] = [];
  const heapId: number[] = [];
  const heapKind: number[] = [];
  const heapVersion: number[] = [];
  const push = (at: number, id: number, kind: number, v: number) => {
    let i = heapAt.length;
    heapAt.push(at);
    heapId.push(id);
    heapKind.push(kind);
    heapVersion.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapAt[p]! <= at) break;
      heapAt[i] = heapAt[p]!;
      heapId[i] = heapId[p]!;
      heapKind[i] = heapKind[p]!;
      heapVersion[i] = heapVersion[p]!;
      i = p;
    }
    heapAt[i] = at;
    heapId[i] = id;
    heapKind[i] = kind;
    heapVersion[i] = v;
  };
  let topId = 0;
  let topKind = 0;
  let topVersion = 0;
  const pop = () => {
    topId = heapId[0]!;
    topKind = heapKind[0]!;
    topVersion = heapVersion[0]!;
    const lastAt = heapAt.pop()!;
    const lastId = heapId.pop()!;
    const lastKind = heapKind.pop()!;
    const lastVersion = heapVersion.pop()!;
    const n = heapAt.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && heapAt[l + 1]! < heapAt[l]! ? l + 1 : l;
      if (heapAt[c]! >= lastAt) break;
      heapAt[i] = heapAt[c]!;
      heapId[i] = heapId[c]!;
      heapKind[i] = heapKind[c]!;
      heapVersion[i] = heapVersion[c]!;
      i = c;
    }
    heapAt[i] = lastAt;
    heapId[i] = lastId;
    heapKind[i] = lastKind;
    heapVersion[i] = lastVersion;
  };

  let counting = false;
  let busyIntegral = 0;
  let countStart = 0;
  let countEnd = 0;
  let settled = 0;
  let within = 0;
  let waitTotal = 0;
  let abandoned = 0;
  let decisions = 0;
  let unexplained = 0;
  const byStep = new Array<number>(steps).fill(0);

  /** Before an agent's load changes: the work each held chat got done at the old pace. */
  const settle = (a: number) => {
    const chats = held[a]!;
    const elapsed = now - since[a]!;
    if (elapsed > 0 && chats.length > 0) {
      const done = elapsed / factors[chats.length]!;
      for (const chat of chats) workLeft[chat]! -= done;
      if (counting) busyIntegral += (elapsed * chats.length) / slots;
    }
    since[a] = now;
  };
  /** After it changed: held chats end at the new pace (their older end events go stale). */
  const reschedule = (a: number, before: number, added: number) => {
    const chats = held[a]!;
    const factor = factors[chats.length]!;
    const changed = factor !== factors[before];
    for (const chat of chats) {
      if (chat !== added && !changed) continue;
      push(now + Math.max(0, workLeft[chat]!) * factor, chat, 0, ++version[chat]!);
    }
  };
  /** Measured arrivals are those after the warm-up; each is settled once (answered or gone). */
  const measured = (id: number) => id >= options.warmUp;
  const collect = () => {
    for (const effect of engine.takeEffects()) {
      if (effect.kind !== 'assigned') continue;
      decisions++;
      const id = Number(effect.conversationId);
      const a = Number(effect.agentId);
      if (!effect.explanation.reason || effect.explanation.candidates[0]?.agentId !== effect.agentId)
        unexplained++;
      if (agentOf[id] !== -1) continue;
      const wait = now - arrivedAt[id]!;
      if (measured(id)) {
        settled++;
        waitTotal += wait;
        if (wait <= targetMs) within++;
        byStep[Math.min(steps - 1, effect.explanation.step?.index ?? steps - 1)]!++;
      }
      settle(a);
      const before = held[a]!.length;
      agentOf[id] = a;
      workLeft[id] = exp() * handleMs;
      held[a]!.push(id);
      reschedule(a, before, id);
    }
  };

  let made = 0;
  let nextArrival = exp() * meanGapMs;
  let sinceDiscard = 0;
  while (settled < options.arrivals) {
    const nextEvent = heapAt.length > 0 ? heapAt[0]! : Number.POSITIVE_INFINITY;
    const nextTimer = engine.nextDeadline() ?? Number.POSITIVE_INFINITY;
    const arrival = made < total ? nextArrival : Number.POSITIVE_INFINITY;
    if (
      arrival === Number.POSITIVE_INFINITY &&
      nextEvent === Number.POSITIVE_INFINITY &&
      nextTimer === Number.POSITIVE_INFINITY
    )
      break;
    if (nextTimer <= nextEvent && nextTimer <= arrival) {
      // A step widens (the core's own timer): more agents may take whoever waits.
      now = nextTimer;
      engine.advance();
    } else if (arrival <= nextEvent) {
      now = arrival;
      const id = made++;
      if (id === options.warmUp) {
        // Occupancy from the first measured arrival to the last.
        for (let a = 0; a < agents; a++) settle(a);
        counting = true;
        countStart = now;
      }
      arrivedAt[id] = now;
      deadline[id] = now + exp() * patienceMs;
      if (deadline[id] < Number.POSITIVE_INFINITY) push(deadline[id], id, 1, 0);
      nextArrival = now + exp() * meanGapMs;
      const conversationId = String(id);
      const opened: ConversationArrival = {
        conversationId,
        customerId: QUEUE_ID,
        channel: 'web',
        channelAccountId: null,
        customerAttributes: NO_ATTRIBUTES,
        hints: HINTS,
      };
      engine.open(opened);
      if (made === total) {
        for (let a = 0; a < agents; a++) settle(a);
        counting = false;
        countEnd = now;
      }
    } else {
      now = nextEvent;
      pop();
      const id = topId;
      if (topKind === 1) {
        // Patience ran out: gone, if still waiting.
        if (agentOf[id] !== -1) continue;
        agentOf[id] = -2;
        if (measured(id)) {
          settled++;
          abandoned++;
          waitTotal += now - arrivedAt[id]!;
        }
        engine.resolve(String(id));
      } else {
        if (version[id] !== topVersion) continue;
        const a = agentOf[id]!;
        settle(a);
        const chats = held[a]!;
        const before = chats.length;
        chats.splice(chats.indexOf(id), 1);
        version[id] = -1;
        reschedule(a, before, -1);
        engine.resolve(String(id));
      }
    }
    collect();
    if (++sinceDiscard === 512) {
      engine.discardChanges();
      sinceDiscard = 0;
    }
  }
  const span = countEnd - countStart;
  const answered = options.arrivals - abandoned;
  return {
    serviceLevel: within / options.arrivals,
    averageWaitSeconds: waitTotal / options.arrivals / 1000,
    occupancy: span <= 0 ? 0 : Math.min(1, busyIntegral / (span * agents)),
    abandonRate: abandoned / options.arrivals,
    decisions,
    unexplained,
    answeredByStep: byStep.map((n) => (answered <= 0 ? 0 : n / answered)),
  };
}
