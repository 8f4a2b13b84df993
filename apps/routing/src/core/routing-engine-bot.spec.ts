import { randomUUID } from 'node:crypto';
import { RoutingEngine } from './routing-engine.js';
import type { AgentConfig, ConversationArrival, RoutingEffect } from './routing-types.js';

/** The bot's hold in the routing core (ADR 0080): held, handed off, timed out, taken over, switched off. */
describe('RoutingEngine with the answer bot', () => {
  let now = 1_000_000;
  const clock = () => now;
  const advance = (seconds: number) => (now += seconds * 1000);

  function setup() {
    const engine = new RoutingEngine({
      clock,
      disconnectGraceMs: 0,
      botReplyMs: 30_000,
      transferWaitMs: 60_000,
    });
    const take = (): RoutingEffect[] => {
      expect(engine.checkInvariants()).toEqual([]);
      return engine.takeEffects();
    };
    return { engine, take };
  }

  const agent = (agentId: string, capacity = 2): AgentConfig => ({
    agentId,
    displayName: agentId,
    skills: [],
    channelCapacity: {},
    defaultChannelCapacity: capacity,
    maxConcurrent: capacity,
    queueIds: [],
  });

  const arrival = (channel: ConversationArrival['channel'] = 'web'): ConversationArrival => ({
    conversationId: randomUUID(),
    customerId: randomUUID(),
    channel,
    channelAccountId: null,
    customerAttributes: {},
    hints: {},
  });

  it('holds a customer-opened conversation on a bot channel: no agent, no line, "with the bot"', () => {
    const { engine, take } = setup();
    engine.upsertAgent(agent('ann'));
    engine.setPresence('ann', 'online', 'agent');
    engine.setBotChannel('web', true);
    take();
    const web = arrival('web');
    const sms = arrival('sms');
    engine.open(web);
    engine.open(sms);
    const effects = take();
    expect(effects.filter((e) => e.kind === 'assigned').map((e) => e.conversationId)).toEqual([
      sms.conversationId,
    ]);
    expect(effects.find((e) => e.kind === 'bot_held')).toMatchObject({ conversationId: web.conversationId });
    expect(engine.conversation(web.conversationId)).toMatchObject({ state: 'bot', agentId: null });
    expect(engine.waitingCount()).toBe(0);
    // An agent- or integrator-opened conversation is never the bot's.
    const outbound = arrival('web');
    engine.open(outbound, false);
    expect(engine.conversation(outbound.conversationId)?.state).toBe('assigned');
    expect(engine.takeChanges().botChannels).toEqual(['web']);
  });

  it('queues a hand-off as an arrival at the hand-off, with the reason in the explanation; idempotent', () => {
    const { engine, take } = setup();
    engine.setBotChannel('web', true);
    const c = arrival();
    engine.open(c);
    advance(20);
    engine.handOff(c.conversationId, 'asked_for_person');
    expect(engine.conversation(c.conversationId)).toMatchObject({
      state: 'waiting',
      arrivedAt: now,
      handoff: { reason: 'asked_for_person', at: now },
    });
    expect(take().filter((e) => e.kind === 'bot_released')).toEqual([
      expect.objectContaining({ reason: 'asked_for_person', agentId: null }),
    ]);
    engine.handOff(c.conversationId, 'low_confidence');
    expect(take()).toEqual([]);
    advance(5);
    engine.upsertAgent(agent('ann'));
    engine.setPresence('ann', 'online', 'agent');
    const snapshot = engine.conversation(c.conversationId)!;
    expect(snapshot.state).toBe('assigned');
    // The service-level clock ran from the hand-off (5 s), not from the opening (25 s).
    expect(snapshot.assignedAt! - snapshot.arrivedAt).toBe(5_000);
    expect(snapshot.explanation?.reason).toMatch(
      /^Handed off by the bot: the customer asked for a person\. /,
    );
  });

  it('hands off by itself when the bot leaves a customer message unanswered for the reply time', () => {
    const { engine, take } = setup();
    engine.setBotChannel('web', true);
    const c = arrival();
    engine.open(c);
    advance(10);
    engine.botReplied(c.conversationId);
    advance(25);
    engine.customerWrote(c.conversationId);
    advance(20);
    engine.customerWrote(c.conversationId); // the deadline runs from the first unanswered message
    advance(9);
    engine.advance();
    expect(engine.conversation(c.conversationId)?.state).toBe('bot');
    expect(engine.nextDeadline()).toBe(now + 1_000);
    advance(1);
    engine.advance();
    expect(engine.conversation(c.conversationId)).toMatchObject({
      state: 'waiting',
      handoff: { reason: 'bot_timeout' },
    });
    expect(take().filter((e) => e.kind === 'bot_released')).toHaveLength(1);
  });

  it('gives a conversation to the agent who takes it over, or who writes in it', () => {
    const { engine, take } = setup();
    engine.upsertAgent(agent('ann'));
    engine.upsertAgent(agent('bob'));
    engine.setPresence('ann', 'online', 'agent');
    engine.setPresence('bob', 'online', 'agent');
    engine.setBotChannel('web', true);
    const taken = arrival();
    const written = arrival();
    engine.open(taken);
    engine.open(written);
    take();
    engine.transfer(taken.conversationId, { agentId: 'bob' }, 'Bob');
    expect(engine.conversation(taken.conversationId)).toMatchObject({ state: 'assigned', agentId: 'bob' });
    expect(engine.conversation(taken.conversationId)?.explanation?.reason).toBe(
      'taken over from the bot by Bob',
    );
    engine.markAnswered(written.conversationId, 'bob');
    expect(engine.conversation(written.conversationId)).toMatchObject({
      state: 'assigned',
      agentId: 'bob',
      answered: true,
      handoff: { reason: 'taken_over' },
    });
    const released = take().filter((e) => e.kind === 'bot_released');
    expect(released.map((e) => e.kind === 'bot_released' && e.agentId)).toEqual(['bob', 'bob']);
  });

  it('hands off every conversation it holds on a channel switched off, at once; restores the rest', () => {
    const { engine, take } = setup();
    engine.setBotChannel('web', true);
    engine.setBotChannel('sms', true);
    const web = [arrival('web'), arrival('web')];
    const sms = arrival('sms');
    for (const c of [...web, sms]) engine.open(c);
    take();
    engine.setBotChannel('web', false);
    expect(web.map((c) => engine.conversation(c.conversationId)?.state)).toEqual(['waiting', 'waiting']);
    expect(engine.conversation(sms.conversationId)?.state).toBe('bot');
    expect(
      take()
        .filter((e) => e.kind === 'bot_released')
        .map((e) => e.kind === 'bot_released' && e.reason),
    ).toEqual(['bot_switched_off', 'bot_switched_off']);
    // A later opening on the switched-off channel goes to agents' queues.
    const later = arrival('web');
    engine.open(later);
    expect(engine.conversation(later.conversationId)?.state).toBe('waiting');

    // Restored from what was persisted: still held, deadline armed, the bot's channels known.
    const changes = engine.takeChanges();
    const restored = new RoutingEngine({ clock, botReplyMs: 30_000 });
    restored.restore({
      queues: [],
      agents: [],
      conversations: [...web, sms, later].map((c) => engine.conversation(c.conversationId)!),
      affinity: [],
      botChannels: changes.botChannels!,
    });
    expect(restored.botChannelList()).toEqual(['sms']);
    expect(restored.conversation(sms.conversationId)?.state).toBe('bot');
    advance(31);
    restored.advance();
    expect(restored.conversation(sms.conversationId)).toMatchObject({
      state: 'waiting',
      handoff: { reason: 'bot_timeout' },
    });
  });

  it('queues a conversation whose hand-off arrived before its opening', () => {
    const { engine } = setup();
    engine.setBotChannel('web', true);
    const c = arrival();
    engine.handOff(c.conversationId, 'low_confidence');
    engine.open(c);
    expect(engine.conversation(c.conversationId)).toMatchObject({
      state: 'waiting',
      handoff: { reason: 'low_confidence' },
    });
  });
});
