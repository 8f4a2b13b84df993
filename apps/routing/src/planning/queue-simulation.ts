import { seededRandom } from '../simulation/arrival-pattern.js';
import { slowdown, type ConcurrencyCurve } from '../simulation/concurrency-curve.js';

/** One queue in steady state: what the planner simulates where Erlang does not apply. */
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

/**
 * A compact discrete-event simulation of one queue: Poisson arrivals, exponential work, first
 * come first served, each chat to the agent holding the fewest (then idle longest), as the routing
 * core does for agents alike; a chat's work progresses at 1 ÷ f(k) while its agent holds k.
 * Abandonment is settled lazily — a customer whose patience ran out is counted when they would
 * have reached an agent — which is exact, as they would have taken nobody's time.
 * Simulates `arrivals` customers after `warmUp` more (dropped), on a fixed seed: the planner
 * compares staffing levels on the same customers (common random numbers).
 */
export function simulateQueue(
  model: QueueModel,
  agents: number,
  options: { arrivals: number; warmUp: number; seed: number },
): QueueFigures {
  if (model.arrivalsPerHour <= 0)
    return { serviceLevel: 1, averageWaitSeconds: 0, occupancy: 0, abandonRate: 0 };
  if (agents <= 0) return { serviceLevel: 0, averageWaitSeconds: 0, occupancy: 0, abandonRate: 1 };
  const random = seededRandom(options.seed);
  const exp = () => -Math.log(1 - random());
  const lambda = model.arrivalsPerHour / 3600;
  const slots = Math.max(1, model.maxChats);
  const factors = Array.from({ length: slots + 1 }, (_, k) => slowdown(model.concurrency, k));
  const total = options.warmUp + options.arrivals;
  // Chats by id (at most one per arrival): work left (seconds alone) and the version of their
  // end event (-1: ended). Agents: the ids of the chats they hold.
  const chatLeft = new Float64Array(total);
  const chatVersion = new Int32Array(total);
  const held: number[][] = Array.from({ length: agents }, () => []);
  const since = new Float64Array(agents);
  const idleSince = new Float64Array(agents);
  let busyIntegral = 0;
  // End events: a binary heap over parallel arrays (time, agent, chat, version).
  const heapAt: number[] = [];
  const heapAgent: number[] = [];
  const heapChat: number[] = [];
  const heapVersion: number[] = [];
  const push = (at: number, agent: number, chat: number, version: number) => {
    let i = heapAt.length;
    heapAt.push(at);
    heapAgent.push(agent);
    heapChat.push(chat);
    heapVersion.push(version);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapAt[p]! <= at) break;
      heapAt[i] = heapAt[p]!;
      heapAgent[i] = heapAgent[p]!;
      heapChat[i] = heapChat[p]!;
      heapVersion[i] = heapVersion[p]!;
      i = p;
    }
    heapAt[i] = at;
    heapAgent[i] = agent;
    heapChat[i] = chat;
    heapVersion[i] = version;
  };
  let topAgent = 0;
  let topChat = 0;
  let topVersion = 0;
  const pop = () => {
    topAgent = heapAgent[0]!;
    topChat = heapChat[0]!;
    topVersion = heapVersion[0]!;
    const lastAt = heapAt.pop()!;
    const lastAgent = heapAgent.pop()!;
    const lastChat = heapChat.pop()!;
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
      heapAgent[i] = heapAgent[c]!;
      heapChat[i] = heapChat[c]!;
      heapVersion[i] = heapVersion[c]!;
      i = c;
    }
    heapAt[i] = lastAt;
    heapAgent[i] = lastAgent;
    heapChat[i] = lastChat;
    heapVersion[i] = lastVersion;
  };
  let now = 0;
  let counting = false;
  const settle = (a: number) => {
    const chats = held[a]!;
    const elapsed = now - since[a]!;
    if (elapsed > 0 && chats.length > 0) {
      const done = elapsed / factors[chats.length]!;
      for (const chat of chats) chatLeft[chat]! -= done;
      if (counting) busyIntegral += (elapsed * chats.length) / slots;
    }
    since[a] = now;
  };
  const reschedule = (a: number, before: number, added: number) => {
    const chats = held[a]!;
    const factor = factors[chats.length]!;
    const changed = factor !== factors[before];
    for (const chat of chats) {
      if (chat !== added && !changed) continue;
      const version = ++chatVersion[chat]!;
      push(now + Math.max(0, chatLeft[chat]!) * factor, a, chat, version);
    }
  };
  const pickAgent = () => {
    let best = -1;
    let bestLoad = slots;
    for (let a = 0; a < agents; a++) {
      const load = held[a]!.length;
      if (load < bestLoad || (load === bestLoad && best >= 0 && idleSince[a]! < idleSince[best]!)) {
        best = a;
        bestLoad = load;
      }
    }
    return best;
  };
  // The line: arrival time and patience deadline of each waiting customer, and whether counted.
  const lineAt: number[] = [];
  const lineDeadline: number[] = [];
  const lineCounted: boolean[] = [];
  let head = 0;
  let countedArrivals = 0;
  let within = 0;
  let waitTotal = 0;
  let abandoned = 0;
  let countStart = 0;
  let countEnd = 0;
  let chatId = 0;
  const start = (a: number, arrivedAt: number, counted: boolean) => {
    settle(a);
    const wait = now - arrivedAt;
    if (counted) {
      waitTotal += wait;
      if (wait <= model.targetSeconds) within++;
    }
    const before = held[a]!.length;
    const chat = chatId++;
    chatLeft[chat] = exp() * model.handleSeconds;
    held[a]!.push(chat);
    reschedule(a, before, chat);
  };
  let arrivalsMade = 0;
  let nextArrival = exp() / lambda;
  while (arrivalsMade < total || heapAt.length > 0 || head < lineAt.length) {
    const nextEnd = heapAt.length > 0 ? heapAt[0]! : Number.POSITIVE_INFINITY;
    if (arrivalsMade < total && nextArrival <= nextEnd) {
      now = nextArrival;
      arrivalsMade++;
      if (arrivalsMade === options.warmUp + 1) {
        // Counting starts with the first measured arrival; occupancy from the same moment.
        for (let a = 0; a < agents; a++) settle(a);
        counting = true;
        countStart = now;
      }
      const counted = arrivalsMade > options.warmUp;
      if (counted) countedArrivals++;
      const patience =
        model.patienceSeconds === null ? Number.POSITIVE_INFINITY : exp() * model.patienceSeconds;
      nextArrival = now + exp() / lambda;
      const a = head === lineAt.length ? pickAgent() : -1;
      if (a >= 0) start(a, now, counted);
      else {
        lineAt.push(now);
        lineDeadline.push(now + patience);
        lineCounted.push(counted);
      }
      if (arrivalsMade === total) {
        // Occupancy over the measured arrivals only, not the drain after the last of them.
        for (let b = 0; b < agents; b++) settle(b);
        counting = false;
        countEnd = now;
      }
      continue;
    }
    if (heapAt.length === 0) break;
    now = heapAt[0]!;
    pop();
    if (chatVersion[topChat] !== topVersion) continue;
    const agent = topAgent;
    const chats = held[agent]!;
    settle(agent);
    const before = chats.length;
    chats.splice(chats.indexOf(topChat), 1);
    chatVersion[topChat] = -1;
    if (chats.length === 0) idleSince[agent] = now;
    reschedule(agent, before, -1);
    // Whoever has room takes the head of the line; those whose patience ran out are gone.
    for (let a = pickAgent(); a >= 0 && head < lineAt.length; a = pickAgent()) {
      const counted = lineCounted[head]!;
      if (lineDeadline[head]! < now) {
        if (counted) {
          abandoned++;
          waitTotal += lineDeadline[head]! - lineAt[head]!;
        }
        head++;
        continue;
      }
      start(a, lineAt[head]!, counted);
      head++;
    }
    if (head > 4096 && head * 2 > lineAt.length) {
      lineAt.splice(0, head);
      lineDeadline.splice(0, head);
      lineCounted.splice(0, head);
      head = 0;
    }
    if (arrivalsMade >= total && heapAt.length === 0) break;
  }
  // Whoever is still in line when the last chat ends would wait past their patience or forever.
  for (; head < lineAt.length; head++)
    if (lineCounted[head]) {
      abandoned++;
      waitTotal += Math.min(now, lineDeadline[head]!) - lineAt[head]!;
    }
  const span = countEnd - countStart;
  return {
    serviceLevel: countedArrivals === 0 ? 1 : within / countedArrivals,
    averageWaitSeconds: countedArrivals === 0 ? 0 : waitTotal / countedArrivals,
    occupancy: span <= 0 ? 0 : Math.min(1, busyIntegral / (span * agents)),
    abandonRate: countedArrivals === 0 ? 0 : abandoned / countedArrivals,
  };
}
