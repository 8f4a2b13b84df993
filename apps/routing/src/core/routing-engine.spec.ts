import { randomUUID } from 'node:crypto';
import { AFFINITY_KEPT_MS, RESOLVED_KEPT_MS, RoutingEngine } from './routing-engine.js';
import type { AgentConfig, ConversationArrival, QueueConfig, RoutingEffect } from './routing-types.js';

class Clock {
  now = 1_000_000;
  readonly read = () => this.now;
  advance(seconds: number) {
    this.now += seconds * 1000;
  }
}

function agent(agentId: string, overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    agentId,
    displayName: agentId,
    skills: [],
    channelCapacity: {},
    defaultChannelCapacity: 2,
    maxConcurrent: 2,
    queueIds: [],
    ...overrides,
  };
}

function queue(id: string, overrides: Partial<QueueConfig> = {}): QueueConfig {
  return {
    id,
    name: id,
    priority: 0,
    entry: {},
    steps: [],
    mode: 'auto',
    offerTimeoutSeconds: 30,
    maxMissedOffers: 2,
    preferredAgent: null,
    createdAt: 0,
    ...overrides,
  };
}

function arrival(overrides: Partial<ConversationArrival> = {}): ConversationArrival {
  return {
    conversationId: randomUUID(),
    customerId: randomUUID(),
    channel: 'web',
    channelAccountId: null,
    customerAttributes: {},
    hints: {},
    ...overrides,
  };
}

function setup(options: { grace?: number } = {}) {
  const clock = new Clock();
  const engine = new RoutingEngine({ clock: clock.read, disconnectGraceMs: options.grace ?? 0 });
  const effects: RoutingEffect[] = [];
  const take = () => {
    effects.push(...engine.takeEffects());
    expect(engine.checkInvariants()).toEqual([]);
    return effects.splice(0);
  };
  return { clock, engine, take };
}

const assigned = (effects: RoutingEffect[]) =>
  effects.filter((e) => e.kind === 'assigned').map((e) => [e.conversationId, e.agentId, e.mode]);

describe('RoutingEngine', () => {
  it('gives a conversation to the agent with the lowest occupancy, then the longest idle, and explains why', () => {
    const { clock, engine, take } = setup();
    engine.upsertAgent(agent('ann', { maxConcurrent: 4, defaultChannelCapacity: 4 }));
    engine.upsertAgent(agent('bob', { maxConcurrent: 2 }));
    engine.setPresence('bob', 'online', 'agent');
    clock.advance(5);
    engine.setPresence('ann', 'online', 'agent');
    take();
    const first = arrival();
    engine.open(first);
    // Both at 0 occupancy: bob has been idle longer.
    const [decision] = take();
    expect(decision).toMatchObject({ kind: 'assigned', agentId: 'bob', mode: 'assign', queueId: null });
    if (decision?.kind !== 'assigned') throw new Error('expected an assignment');
    expect(decision.explanation.reason).toContain('idle longest');
    expect(decision.explanation.candidates.map((c) => c.agentId)).toEqual(['bob', 'ann']);
    expect(decision.explanation.candidates[1]!.rejectedBecause).toBe('same occupancy, idle for less time');
    // bob 1/2 = 0.5 vs ann 0/4: ann; then ann 1/4 = 0.25 < 0.5: ann again.
    engine.open(arrival());
    engine.open(arrival());
    expect(take().map((e) => e.kind === 'assigned' && e.agentId)).toEqual(['ann', 'ann']);
  });

  it('breaks ties between busy agents by the load they carried so far, not by who was assigned last', () => {
    const { clock, engine, take } = setup();
    engine.upsertAgent(agent('ann'));
    engine.upsertAgent(agent('bob'));
    engine.setPresence('ann', 'online', 'agent');
    clock.advance(1);
    engine.setPresence('bob', 'online', 'agent');
    engine.open(arrival());
    clock.advance(100);
    engine.open(arrival());
    expect(assigned(take()).map(([, agentId]) => agentId)).toEqual(['ann', 'bob']);
    // Both at 1/2; ann has carried 200 s × ½, bob 100 s × ½: bob, though assigned later.
    clock.advance(100);
    engine.open(arrival());
    const [decision] = take();
    if (decision?.kind !== 'assigned') throw new Error('expected an assignment');
    expect(decision.agentId).toBe('bob');
    expect(decision.explanation.reason).toContain('has carried the least load so far');
    expect(decision.explanation.candidates[1]).toMatchObject({
      agentId: 'ann',
      rejectedBecause: 'same occupancy, carried more load so far',
    });
  });

  it('lets an agent of the next step who carried far less load take a conversation ahead of the step', () => {
    const run = (balanceMarginMinutes?: number) => {
      const clock = new Clock();
      const engine = new RoutingEngine({ clock: clock.read, balanceMarginMinutes });
      engine.upsertQueue(
        queue('billing', {
          steps: [
            { expression: 'billing >= 4', expiresAfterSeconds: 60 },
            { expression: 'billing >= 2', expiresAfterSeconds: 60 },
          ],
        }),
      );
      engine.upsertAgent(agent('exp', { skills: [{ skill: 'billing', proficiency: 4 }] }));
      engine.upsertAgent(agent('fair', { skills: [{ skill: 'billing', proficiency: 2 }] }));
      engine.upsertAgent(agent('none'));
      for (const id of ['exp', 'fair', 'none']) engine.setPresence(id, 'online', 'agent');
      // exp holds one of two chats for 50 minutes: 25 minutes of load carried, fair none.
      engine.open(arrival({ hints: { queue: 'billing' } }));
      clock.advance(50 * 60);
      engine.open(arrival({ hints: { queue: 'billing' } }));
      expect(engine.checkInvariants()).toEqual([]);
      return engine.takeEffects().flatMap((e) => (e.kind === 'assigned' ? [e] : []));
    };
    // 25 min less is within a 30 min margin: the expert, as the steps say.
    expect(run().map((e) => e.agentId)).toEqual(['exp', 'exp']);
    const [, ahead] = run(20);
    expect(ahead).toMatchObject({ agentId: 'fair', explanation: { step: { index: 0 } } });
    expect(ahead!.explanation.reason).toBe(
      'balance: fair matches the next step (1: billing >= 2), has free web capacity (0/2) and has carried 25 min less load than the closest match, exp (1/2)',
    );
    expect(ahead!.explanation.candidates).toMatchObject([
      { agentId: 'fair' },
      { agentId: 'exp', rejectedBecause: 'carried 25 min more load than fair' },
    ]);
    // Never the catch-all ring (none lacks billing), and never when steps are kept strict.
    expect(run(Number.POSITIVE_INFINITY).map((e) => e.agentId)).toEqual(['exp', 'exp']);
  });

  it('widens the routing steps as they expire, and any agent of the queue after the last', () => {
    const { clock, engine, take } = setup();
    engine.upsertQueue(
      queue('billing', {
        steps: [
          { expression: 'billing >= 4', expiresAfterSeconds: 30 },
          { expression: 'billing >= 2', expiresAfterSeconds: 60 },
        ],
      }),
    );
    engine.upsertAgent(agent('novice', { skills: [{ skill: 'billing', proficiency: 2 }] }));
    engine.upsertAgent(agent('generalist'));
    engine.setPresence('novice', 'online', 'agent');
    engine.setPresence('generalist', 'online', 'agent');
    const c = arrival();
    engine.open(c);
    expect(take()).toEqual([]);
    expect(engine.currentStep(c.conversationId)).toBe(0);
    clock.advance(29);
    engine.advance();
    expect(take()).toEqual([]);
    clock.advance(1);
    engine.advance();
    const [decision] = take();
    expect(decision).toMatchObject({
      agentId: 'novice',
      explanation: { step: { index: 1, expression: 'billing >= 2' } },
    });
  });

  it('widens steps on a fractional clock without firing the same timer for ever', () => {
    const { clock, engine, take } = setup();
    clock.now = 1_000.1;
    engine.upsertQueue(queue('q', { steps: [{ expression: 'x >= 5', expiresAfterSeconds: 0.3 }] }));
    engine.upsertAgent(agent('a'));
    engine.setPresence('a', 'online', 'agent');
    const c = arrival();
    engine.open(c);
    clock.now = engine.nextDeadline()!;
    engine.advance();
    expect(assigned(take())).toEqual([[c.conversationId, 'a', 'assign']]);
    expect(engine.nextDeadline()).toBeUndefined();
  });

  it('past the first step, gives the conversation to the closest match (earliest step) before the least occupied', () => {
    const { clock, engine, take } = setup();
    engine.upsertQueue(
      queue('billing', {
        steps: [
          { expression: 'billing >= 4', expiresAfterSeconds: 30 },
          { expression: 'billing >= 2', expiresAfterSeconds: 60 },
        ],
        preferredAgent: { windowHours: 24, waitSeconds: 45 },
      }),
    );
    engine.upsertAgent(agent('ann', { skills: [{ skill: 'billing', proficiency: 4 }], maxConcurrent: 1 }));
    engine.upsertAgent(agent('eve', { skills: [{ skill: 'billing', proficiency: 5 }] }));
    engine.upsertAgent(agent('nick', { skills: [{ skill: 'billing', proficiency: 2 }] }));
    engine.setPresence('ann', 'online', 'agent');
    const customerId = randomUUID();
    engine.open(arrival({ customerId }));
    take();
    engine.setPresence('eve', 'online', 'agent');
    engine.setPresence('nick', 'online', 'agent');
    engine.open(arrival());
    expect(take().map((e) => e.kind === 'assigned' && e.agentId)).toEqual(['eve']);
    // The customer's next conversation waits for ann, busy, until the wait runs out at step 1:
    // eve (1/2, matches step 0) wins over nick (0/2, matches only step 1).
    const again = arrival({ customerId });
    engine.open(again);
    expect(take()).toEqual([]);
    clock.advance(45);
    engine.advance();
    const [decision] = take();
    expect(decision).toMatchObject({
      kind: 'assigned',
      conversationId: again.conversationId,
      agentId: 'eve',
    });
    if (decision?.kind !== 'assigned') throw new Error('expected an assignment');
    expect(decision.explanation.step).toEqual({ index: 1, expression: 'billing >= 2' });
    expect(decision.explanation.reason).toBe(
      '2 agent(s) eligible at step 1 with free web capacity; eve matches the closest step (0: billing >= 4) and, of those, has the lowest occupancy (1/2)',
    );
    expect(decision.explanation.candidates.map((c) => [c.agentId, c.rejectedBecause])).toEqual([
      ['eve', undefined],
      ['nick', 'a wider match (from step 1: billing >= 2)'],
    ]);
  });

  it('lets an agent with room serve the queue they match most closely before an older conversation elsewhere', () => {
    const { clock, engine, take } = setup();
    for (const skill of ['billing', 'tech'])
      engine.upsertQueue(
        queue(skill, {
          entry: { customerAttributes: { topic: skill } },
          steps: [
            { expression: `${skill} >= 4`, expiresAfterSeconds: 30 },
            { expression: `${skill} >= 2`, expiresAfterSeconds: 60 },
          ],
        }),
      );
    engine.upsertAgent(
      agent('bea', {
        skills: [
          { skill: 'billing', proficiency: 4 },
          { skill: 'tech', proficiency: 3 },
        ],
        maxConcurrent: 1,
      }),
    );
    engine.setPresence('bea', 'online', 'agent');
    const topic = (t: string) => arrival({ customerAttributes: { topic: t } });
    const first = topic('billing');
    engine.open(first);
    take();
    const tech = topic('tech');
    engine.open(tech);
    clock.advance(40); // tech is at step 1 now: bea may take it
    engine.advance();
    const billing = topic('billing');
    engine.open(billing);
    expect(take()).toEqual([]);
    engine.resolve(first.conversationId);
    const [decision] = take();
    expect(decision).toMatchObject({
      kind: 'assigned',
      conversationId: billing.conversationId,
      agentId: 'bea',
    });
    if (decision?.kind !== 'assigned') throw new Error('expected an assignment');
    expect(decision.explanation.reason).toContain('in a queue whose first step they match (billing >= 4)');
    // With billing served, the older tech conversation is next.
    engine.resolve(billing.conversationId);
    expect(assigned(take())).toEqual([[tech.conversationId, 'bea', 'assign']]);
  });

  it('serves higher queue priority, then higher conversation priority, then the longest waiting', () => {
    const { clock, engine, take } = setup();
    engine.upsertQueue(queue('low', { priority: 0, entry: { channels: ['sms'] } }));
    engine.upsertQueue(queue('high', { priority: 5, entry: { languages: ['es'] } }));
    const a = arrival({ channel: 'sms' });
    const b = arrival({ channel: 'sms', hints: { language: 'es-MX' } });
    const c = arrival({ channel: 'sms', hints: { language: 'es' } });
    const d = arrival({ channel: 'sms', hints: { priority: '3' } });
    for (const x of [a, b, c, d]) {
      engine.open(x);
      clock.advance(1);
    }
    expect(engine.conversation(b.conversationId)?.queueId).toBe('high');
    expect(engine.conversation(a.conversationId)?.queueId).toBe('low');
    engine.upsertAgent(agent('solo', { maxConcurrent: 1 }));
    engine.setPresence('solo', 'online', 'agent');
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [e] = take();
      if (e?.kind !== 'assigned') throw new Error('expected an assignment');
      order.push(e.conversationId);
      engine.resolve(e.conversationId);
    }
    expect(order).toEqual([b, c, d, a].map((x) => x.conversationId));
  });

  it('honours entry rules: named queues, channel accounts, customer attributes', () => {
    const { engine } = setup();
    engine.upsertQueue(queue('vip', { priority: 9, entry: { customerAttributes: { tier: 'gold' } } }));
    engine.upsertQueue(queue('bot-only', { priority: 10, entry: { namedOnly: true } }));
    engine.upsertQueue(queue('acct', { priority: 1, entry: { channelAccountIds: ['acct-1'] } }));
    const gold = arrival({ customerAttributes: { tier: 'gold' } });
    const named = arrival({ hints: { queue: 'BOT-ONLY' } });
    const account = arrival({ channelAccountId: 'acct-1' });
    const other = arrival({ channelAccountId: 'acct-2' });
    for (const x of [gold, named, account, other]) engine.open(x);
    expect([gold, named, account, other].map((x) => engine.conversation(x.conversationId)?.queueId)).toEqual([
      'vip',
      'bot-only',
      'acct',
      null,
    ]);
  });

  it('respects per-channel capacity and the overall cap', () => {
    const { engine, take } = setup();
    engine.upsertAgent(
      agent('a', { channelCapacity: { sms: 1 }, defaultChannelCapacity: 3, maxConcurrent: 2 }),
    );
    engine.setPresence('a', 'online', 'agent');
    const sms = [arrival({ channel: 'sms' }), arrival({ channel: 'sms' })];
    const web = [arrival(), arrival()];
    for (const x of [...sms, ...web]) engine.open(x);
    expect(assigned(take()).map(([id]) => id)).toEqual([sms[0]!.conversationId, web[0]!.conversationId]);
    expect(engine.agent('a')).toMatchObject({ load: 2, capacity: 2, loadByChannel: { sms: 1, web: 1 } });
    engine.resolve(sms[0]!.conversationId);
    // The freed slot goes to the oldest waiting conversation the agent can take: the second SMS.
    expect(assigned(take()).map(([id]) => id)).toEqual([sms[1]!.conversationId]);
  });

  it('offers one agent at a time; a timeout moves on, and too many in a row set the agent away', () => {
    const { clock, engine, take } = setup();
    engine.upsertQueue(queue('q', { mode: 'offer', offerTimeoutSeconds: 10, maxMissedOffers: 2 }));
    engine.upsertAgent(agent('sleepy', { maxConcurrent: 1 }));
    engine.upsertAgent(agent('alert', { maxConcurrent: 1 }));
    engine.setPresence('sleepy', 'online', 'agent');
    clock.advance(1);
    engine.setPresence('alert', 'online', 'agent');
    const first = arrival();
    engine.open(first);
    expect(assigned(take())).toEqual([[first.conversationId, 'sleepy', 'offer']]);
    clock.advance(10);
    engine.advance();
    let effects = take();
    expect(effects.map((e) => e.kind)).toEqual(['unassigned', 'assigned']);
    expect(effects[1]).toMatchObject({ agentId: 'alert', mode: 'offer' });
    engine.answerOffer(first.conversationId, 'alert', true);
    expect(assigned(take())).toEqual([[first.conversationId, 'alert', 'assign']]);
    const second = arrival();
    engine.open(second);
    expect(assigned(take())).toEqual([[second.conversationId, 'sleepy', 'offer']]);
    clock.advance(10);
    engine.advance();
    effects = take();
    expect(effects).toContainEqual(
      expect.objectContaining({
        kind: 'presence',
        agentId: 'sleepy',
        presence: 'away',
        reason: 'offer_timeouts',
      }),
    );
    expect(engine.conversation(second.conversationId)?.state).toBe('waiting');
    // A rejection frees the offer at once; the rejecting agent is not offered it again.
    engine.resolve(first.conversationId);
    effects = take();
    expect(effects).toContainEqual(
      expect.objectContaining({
        kind: 'assigned',
        conversationId: second.conversationId,
        agentId: 'alert',
        mode: 'offer',
      }),
    );
    engine.answerOffer(second.conversationId, 'alert', false);
    take();
    expect(engine.conversation(second.conversationId)).toMatchObject({
      state: 'waiting',
      declined: ['sleepy', 'alert'],
    });
  });

  it('returns unanswered conversations to the head of their queue when their agent goes away', () => {
    const { clock, engine, take } = setup();
    engine.upsertAgent(agent('a', { maxConcurrent: 2 }));
    engine.setPresence('a', 'online', 'agent');
    const answered = arrival();
    const unanswered = arrival();
    engine.open(answered);
    engine.open(unanswered);
    clock.advance(5);
    const later = arrival();
    engine.open(later);
    take();
    engine.markAnswered(answered.conversationId);
    engine.setPresence('a', 'away', 'agent');
    const effects = take();
    expect(effects).toEqual([
      expect.objectContaining({
        kind: 'unassigned',
        conversationId: unanswered.conversationId,
        reason: 'agent_away',
      }),
    ]);
    expect(engine.conversation(answered.conversationId)?.state).toBe('assigned');
    engine.upsertAgent(agent('b', { maxConcurrent: 1 }));
    engine.setPresence('b', 'online', 'agent');
    // It kept its arrival time, so it goes before the conversation that arrived after it.
    expect(assigned(take())).toEqual([[unanswered.conversationId, 'b', 'assign']]);
  });

  it('prefers whoever last served the customer, waiting for them up to the configured time', () => {
    const { clock, engine, take } = setup();
    engine.upsertQueue(queue('q', { preferredAgent: { windowHours: 24, waitSeconds: 20 } }));
    engine.upsertAgent(agent('first', { maxConcurrent: 1 }));
    engine.upsertAgent(agent('other', { maxConcurrent: 1 }));
    engine.setPresence('first', 'online', 'agent');
    const customerId = randomUUID();
    const c1 = arrival({ customerId });
    engine.open(c1);
    take();
    engine.setPresence('other', 'online', 'agent');
    const othersConversation = arrival();
    engine.open(othersConversation);
    expect(assigned(take())).toEqual([[othersConversation.conversationId, 'other', 'assign']]);
    engine.resolve(c1.conversationId);
    take();
    // 'first' is free now: a new conversation of the same customer goes to them, as preferred.
    const c2 = arrival({ customerId });
    engine.open(c2);
    const [decision] = take();
    expect(decision).toMatchObject({ agentId: 'first' });
    if (decision?.kind !== 'assigned') throw new Error('expected an assignment');
    expect(decision.explanation.candidates[0]).toMatchObject({ agentId: 'first', preferred: true });
    // Busy now: the next one waits for them, not for 'other' who frees up first…
    const c3 = arrival({ customerId });
    engine.open(c3);
    engine.resolve(othersConversation.conversationId);
    expect(take()).toEqual([]);
    expect(engine.conversation(c3.conversationId)).toMatchObject({
      state: 'waiting',
      reservation: { agentId: 'first' },
    });
    clock.advance(10);
    engine.resolve(c2.conversationId);
    expect(assigned(take())).toEqual([[c3.conversationId, 'first', 'assign']]);
    // …and when the wait runs out, the queue takes it.
    const c4 = arrival({ customerId });
    engine.open(c4);
    clock.advance(19);
    engine.advance();
    expect(take()).toEqual([]);
    clock.advance(1);
    engine.advance();
    expect(assigned(take())).toEqual([[c4.conversationId, 'other', 'assign']]);
  });

  it('transfers to an agent (waiting for them if busy) or to another queue', () => {
    const { engine, take } = setup();
    engine.upsertQueue(queue('sales'));
    engine.upsertAgent(agent('a', { maxConcurrent: 1 }));
    engine.upsertAgent(agent('b', { maxConcurrent: 1 }));
    engine.setPresence('a', 'online', 'agent');
    const c = arrival();
    engine.open(c);
    take();
    engine.transfer(c.conversationId, { agentId: 'b' }, 'agent a');
    expect(take()).toEqual([
      expect.objectContaining({ kind: 'unassigned', agentId: 'a', reason: 'transferred' }),
    ]);
    expect(engine.conversation(c.conversationId)).toMatchObject({
      state: 'waiting',
      reservation: { agentId: 'b', kind: 'transfer' },
    });
    engine.setPresence('b', 'online', 'agent');
    const [decision] = take();
    expect(decision).toMatchObject({
      kind: 'assigned',
      agentId: 'b',
      explanation: { step: null, reason: 'transferred to b by agent a' },
    });
    engine.transfer(c.conversationId, { queueId: 'sales' }, 'agent b');
    const effects = take();
    expect(effects.map((e) => [e.kind, 'agentId' in e && e.agentId])).toEqual([
      ['unassigned', 'b'],
      ['assigned', 'a'],
    ]);
    expect(engine.conversation(c.conversationId)?.queueId).toBe('sales');
  });

  it('waits out a dropped connection before going offline; a reconnection cancels it', () => {
    const { clock, engine, take } = setup({ grace: 15_000 });
    engine.upsertAgent(agent('a'));
    engine.setPresence('a', 'online', 'connection', clock.now);
    const c = arrival();
    engine.open(c);
    take();
    engine.setPresence('a', 'offline', 'connection', clock.now);
    clock.advance(10);
    engine.setPresence('a', 'online', 'connection', clock.now);
    clock.advance(10);
    engine.advance();
    expect(take()).toEqual([]);
    engine.setPresence('a', 'offline', 'connection', clock.now);
    clock.advance(15);
    engine.advance();
    const effects = take();
    expect(effects.map((e) => e.kind)).toEqual(['unassigned', 'presence']);
    // Routing's own echo of that change, read back from the log after a newer change, is ignored.
    engine.setPresence('a', 'online', 'agent', clock.now + 1);
    engine.setPresence('a', 'offline', 'connection', clock.now - 1);
    expect(engine.agent('a')?.presence).toBe('online');
  });

  it('restores from its snapshots and carries on where it stopped', () => {
    const { clock, engine, take } = setup();
    const queues = [queue('q', { steps: [{ expression: 'x >= 3', expiresAfterSeconds: 30 }] })];
    const agents = [agent('a', { skills: [{ skill: 'x', proficiency: 1 }], maxConcurrent: 1 })];
    for (const q of queues) engine.upsertQueue(q);
    for (const a of agents) engine.upsertAgent(a);
    engine.setPresence('a', 'online', 'agent');
    const waiting = arrival();
    engine.open(waiting);
    take();
    const changes = engine.takeChanges();
    const restored = new RoutingEngine({ clock: clock.read, disconnectGraceMs: 0 });
    restored.restore({
      queues,
      agents: agents.map((config) => ({
        config,
        runtime: changes.agents.find((r) => r.agentId === config.agentId) ?? null,
      })),
      conversations: changes.conversations,
      affinity: changes.customers,
    });
    expect(restored.takeEffects()).toEqual([]);
    clock.advance(30);
    restored.advance();
    expect(assigned(restored.takeEffects())).toEqual([[waiting.conversationId, 'a', 'assign']]);
  });

  it('keeps every invariant through a random run', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const { clock, engine, take } = setup({ grace: 5_000 });
    engine.upsertQueue(
      queue('a', {
        entry: { channels: ['sms'] },
        steps: [{ expression: 'x >= 3', expiresAfterSeconds: 20 }],
      }),
    );
    engine.upsertQueue(
      queue('b', {
        mode: 'offer',
        offerTimeoutSeconds: 5,
        priority: 2,
        entry: { languages: ['es'] },
        preferredAgent: { windowHours: 1, waitSeconds: 10 },
      }),
    );
    for (let i = 0; i < 12; i++)
      engine.upsertAgent(
        agent(`ag${i}`, { skills: [{ skill: 'x', proficiency: 1 + (i % 5) }], maxConcurrent: 1 + (i % 3) }),
      );
    const open: string[] = [];
    const customers = Array.from({ length: 20 }, () => randomUUID());
    for (let step = 0; step < 3000; step++) {
      clock.advance(random() * 3);
      const r = random();
      if (r < 0.35) {
        const c = arrival({
          customerId: customers[Math.floor(random() * customers.length)]!,
          channel: random() < 0.5 ? 'sms' : 'web',
          hints: random() < 0.3 ? { language: 'es' } : {},
        });
        engine.open(c);
        open.push(c.conversationId);
      } else if (r < 0.6 && open.length > 0) {
        engine.resolve(open.splice(Math.floor(random() * open.length), 1)[0]!);
      } else if (r < 0.75) {
        const presence = (['online', 'online', 'away', 'offline'] as const)[Math.floor(random() * 4)]!;
        engine.setPresence(
          `ag${Math.floor(random() * 12)}`,
          presence,
          random() < 0.5 ? 'connection' : 'agent',
          clock.now,
        );
      } else if (r < 0.9 && open.length > 0) {
        const id = open[Math.floor(random() * open.length)]!;
        const c = engine.conversation(id);
        if (c?.state === 'offered') engine.answerOffer(id, c.agentId!, random() < 0.7);
        else if (c?.state === 'assigned') engine.markAnswered(id);
      } else if (r < 0.92) {
        const id = `ag${Math.floor(random() * 12)}`;
        if (random() < 0.5) engine.removeAgent(id);
        else
          engine.upsertAgent(
            agent(id, {
              skills: [{ skill: 'x', proficiency: 1 + Math.floor(random() * 5) }],
              maxConcurrent: 1 + Math.floor(random() * 3),
            }),
          );
      } else if (open.length > 0) {
        const id = open[Math.floor(random() * open.length)]!;
        engine.transfer(
          id,
          random() < 0.5 ? { queueId: 'a' } : { agentId: `ag${Math.floor(random() * 12)}` },
          'test',
        );
      } else {
        engine.advance();
      }
      take();
    }
  });

  it('forgets what a restart would not load: conversations resolved a day ago, services older than the longest window', () => {
    const { clock, engine, take } = setup();
    engine.upsertAgent(agent('ann', { maxConcurrent: 4, defaultChannelCapacity: 4 }));
    engine.setPresence('ann', 'online', 'agent');
    const old = arrival();
    const reopened = arrival();
    engine.open(old);
    engine.open(reopened);
    expect(assigned(take())).toHaveLength(2);
    engine.resolve(old.conversationId);
    engine.resolve(reopened.conversationId);
    // Reopened and resolved again an hour before the day is up: kept a day from its last resolve.
    clock.advance(23 * 3600);
    engine.reopen(reopened.conversationId);
    expect(assigned(take())).toEqual([[reopened.conversationId, 'ann', 'assign']]);
    engine.resolve(reopened.conversationId);
    clock.advance(3600);
    engine.advance();
    expect(engine.conversation(old.conversationId)).toBeUndefined();
    expect(engine.conversation(reopened.conversationId)?.state).toBe('resolved');
    expect(engine.heldInMemory()).toEqual({ conversations: 1, customers: 2 });
    // A reopen after the day is up finds nothing to route, as after a restart.
    engine.reopen(old.conversationId);
    expect(take().filter((e) => e.kind === 'assigned')).toEqual([]);

    clock.advance(RESOLVED_KEPT_MS / 1000);
    engine.advance();
    expect(engine.heldInMemory().conversations).toBe(0);
    // The customers' last services are kept for the longest preferred-agent window, from the last one.
    clock.advance((AFFINITY_KEPT_MS - RESOLVED_KEPT_MS - 25 * 3_600_000) / 1000);
    engine.advance();
    expect(engine.heldInMemory().customers).toBe(2);
    clock.advance(3600);
    engine.advance();
    expect(engine.heldInMemory().customers).toBe(1);
    clock.advance(23 * 3600);
    engine.advance();
    expect(engine.heldInMemory()).toEqual({ conversations: 0, customers: 0 });
    take();
  });

  it('forgets restored conversations in the order they were resolved, not the order they arrived', () => {
    const { clock, engine, take } = setup();
    engine.upsertAgent(agent('ann', { maxConcurrent: 4, defaultChannelCapacity: 4 }));
    engine.setPresence('ann', 'online', 'agent');
    const first = arrival();
    const second = arrival();
    engine.open(first);
    clock.advance(1);
    engine.open(second);
    take();
    engine.resolve(second.conversationId);
    clock.advance(3600);
    engine.resolve(first.conversationId);
    const changes = engine.takeChanges();
    const restored = new RoutingEngine({ clock: clock.read, disconnectGraceMs: 0 });
    restored.restore({
      queues: [],
      agents: [{ config: agent('ann', { maxConcurrent: 4, defaultChannelCapacity: 4 }), runtime: null }],
      conversations: changes.conversations,
      affinity: changes.customers,
    });
    // A day after the second's resolve, an hour before the first's: only the second is forgotten.
    clock.advance(RESOLVED_KEPT_MS / 1000 - 3600);
    restored.advance();
    expect(restored.conversation(second.conversationId)).toBeUndefined();
    expect(restored.conversation(first.conversationId)?.state).toBe('resolved');
  });
});
