import { randomUUID } from 'node:crypto';
import {
  AgentPresenceChangedV1,
  type EventEnvelope,
  IdentityOptOutChangedV1,
  InboundMessageReceivedV1,
  Topics,
} from '@switchboard/contracts';
import { inboundMessageEvent, settle, waitFor } from '@switchboard/testing';
import { DeadLetterHeaders } from '../dead-letter.js';
import {
  type ConsumedEvent,
  EventBus,
  EventBusUnavailableError,
  type SubscriptionSpec,
} from '../event-bus.js';
import { EventConsumer, consume } from '../event-consumer.js';

export interface RawDeadLetter {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** One adapter prepared for a contract test: a fresh log (its own topics) and ways to look inside. */
export interface EventBusUnderTest {
  readonly bus: EventBus;
  /** Another bus on the same log, as a second process or a restart would have. */
  reopen(): Promise<EventBus>;
  deadLetters(topic: string): Promise<RawDeadLetter[]>;
  /** The consumer groups whose position the log keeps, by physical name. */
  groups(): Promise<string[]>;
  dispose(): Promise<void>;
}

const fastRetry = { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 50 };

/**
 * The semantics every EventBus adapter promises, run against each of them: per-key order,
 * consumer groups, at-least-once with commits after success, dead letters that never block.
 */
export function describeEventBusContract(adapter: string, create: () => Promise<EventBusUnderTest>): void {
  describe(`EventBus contract: ${adapter}`, () => {
    let subject: EventBusUnderTest;
    const extraBuses: EventBus[] = [];

    beforeEach(async () => {
      subject = await create();
    });

    afterEach(async () => {
      await Promise.all([subject.bus, ...extraBuses.splice(0)].map((b) => b.close()));
      await subject.dispose();
    });

    async function reopen(): Promise<EventBus> {
      const bus = await subject.reopen();
      extraBuses.push(bus);
      return bus;
    }

    function collector() {
      const seen: ConsumedEvent[] = [];
      const spec = (overrides: Partial<SubscriptionSpec> = {}): SubscriptionSpec => ({
        groupId: `group-${randomUUID()}`,
        topics: [Topics.inbound],
        accepts: [InboundMessageReceivedV1],
        handleBatch: (batch) => {
          seen.push(...batch);
          return Promise.resolve();
        },
        retry: fastRetry,
        ...overrides,
      });
      return { seen, spec };
    }

    /** An inbound message keyed (as its definition keys it) by this sender's address. */
    const fromSender = (address: string, text?: string) =>
      inboundMessageEvent({
        sender: { kind: 'phone', address, verified: true },
        ...(text === undefined ? {} : { text }),
      });

    it('delivers a published event, validated, with where it came from', async () => {
      const { seen, spec } = collector();
      const handle = await subject.bus.subscribe(spec());
      await handle.assigned;
      const event = inboundMessageEvent({ text: 'héllo ✓' });
      await subject.bus.emit(event);

      await waitFor(() => seen.length === 1, { what: 'the event' });
      expect(seen[0]!.event).toEqual(event);
      expect(seen[0]!.topic).toBe(Topics.inbound);
      expect(seen[0]!.key).toBe('+15551230001');
      expect(seen[0]!.partition).toBeGreaterThanOrEqual(0);
      await handle.stop();
    });

    it('emits an event on the topic its definition names, keyed as its definition says', async () => {
      const { seen, spec } = collector();
      const agents: ConsumedEvent[] = [];
      const handles = await Promise.all([
        subject.bus.subscribe(spec()),
        subject.bus.subscribe(
          consume({
            groupId: `group-${randomUUID()}`,
            accepts: [AgentPresenceChangedV1],
            retry: fastRetry,
            handleBatch: (batch) => {
              agents.push(...batch);
              return Promise.resolve();
            },
          }),
        ),
      ]);
      await Promise.all(handles.map((h) => h.assigned));
      const inbound = inboundMessageEvent({
        sender: { kind: 'phone', address: '+15551230002', verified: true },
      });
      const presence = AgentPresenceChangedV1.create({
        workspaceId: inbound.workspaceId,
        payload: { agentId: 'agent-1', presence: 'online', reason: 'agent', changedAt: inbound.occurredAt },
      });
      await subject.bus.emit([inbound, presence]);

      await waitFor(() => seen.length === 1 && agents.length === 1, { what: 'both events' });
      expect(seen[0]!).toMatchObject({ event: inbound, topic: Topics.inbound, key: '+15551230002' });
      expect(agents[0]!).toMatchObject({ event: presence, topic: Topics.agents, key: inbound.workspaceId });
      await expect(subject.bus.emit({ ...presence, version: 99 })).rejects.toThrow(/no event definition/);
      await Promise.all(handles.map((h) => h.stop()));
    });

    it('runs a declared consumer from application start to shutdown', async () => {
      const handled: string[] = [];
      class PresenceConsumer extends EventConsumer {
        constructor(bus: EventBus) {
          super(bus);
        }
        protected subscriptions() {
          return [
            consume({
              groupId: `group-${randomUUID()}`,
              accepts: [AgentPresenceChangedV1],
              retry: fastRetry,
              handleBatch: (batch) => {
                // Typed by what it accepts: the payload is an AgentPresenceChangedV1's.
                handled.push(...batch.map(({ event }) => event.payload.agentId));
                return Promise.resolve();
              },
            }),
          ];
        }
      }
      const consumer = new PresenceConsumer(subject.bus);
      await consumer.onApplicationBootstrap();
      await consumer.assigned;
      const presence = (agentId: string) =>
        AgentPresenceChangedV1.create({
          workspaceId: randomUUID(),
          payload: { agentId, presence: 'away', reason: 'agent', changedAt: new Date().toISOString() },
        });
      await subject.bus.emit(presence('agent-a'));
      await waitFor(() => handled.length === 1, { what: 'the first event' });
      await consumer.beforeApplicationShutdown();
      await subject.bus.emit(presence('agent-b'));
      await settle(300);
      expect(handled).toEqual(['agent-a']);
    });

    it('keeps the order of each key', async () => {
      const { seen, spec } = collector();
      const handle = await subject.bus.subscribe(spec());
      await handle.assigned;
      const keys = ['+15550000001', '+15550000002', '+15550000003', '+15550000004', '+15550000005'];
      const events = Array.from({ length: 200 }, (_, i) =>
        fromSender(keys[i % keys.length]!, `${keys[i % keys.length]} ${i}`),
      );
      // Published in two calls: order per key is what was enqueued.
      await subject.bus.emit(events.slice(0, 100));
      await subject.bus.emit(events.slice(100));

      await waitFor(() => seen.length >= 200, { what: '200 events' });
      for (const key of keys) {
        const texts = seen
          .filter((c) => c.key === key)
          .map((c) => Number((c.event.payload as { text: string }).text.split(' ')[1]));
        expect(texts).toEqual([...texts].sort((a, b) => a - b));
        expect(texts).toHaveLength(40);
      }
      await handle.stop();
    });

    it('gives every consumer group every event', async () => {
      const a = collector();
      const b = collector();
      const handles = await Promise.all([subject.bus.subscribe(a.spec()), subject.bus.subscribe(b.spec())]);
      await Promise.all(handles.map((h) => h.assigned));
      const events = Array.from({ length: 20 }, (_, i) => fromSender(`+1555000010${i % 7}`));
      await subject.bus.emit(events);

      await waitFor(() => a.seen.length >= 20 && b.seen.length >= 20, { what: 'both groups' });
      const ids = events.map((e) => e.id).sort();
      expect([...new Set(a.seen.map((c) => c.event.id))].sort()).toEqual(ids);
      expect([...new Set(b.seen.map((c) => c.event.id))].sort()).toEqual(ids);
      await Promise.all(handles.map((h) => h.stop()));
    });

    it('shares partitions among the members of one group', async () => {
      const groupId = `group-${randomUUID()}`;
      const first = collector();
      const second = collector();
      const h1 = await subject.bus.subscribe(first.spec({ groupId }));
      await h1.assigned;
      const h2 = await subject.bus.subscribe(second.spec({ groupId }));
      await h2.assigned;
      // The first member rejoins in the rebalance the second one caused.
      await settle(1_000);
      // A hundred senders: every partition gets some.
      const events = Array.from({ length: 100 }, (_, i) =>
        fromSender(`+1555000${String(i).padStart(4, '0')}`),
      );
      await subject.bus.emit(events);

      const union = () => new Set([...first.seen, ...second.seen].map((c) => c.event.id));
      await waitFor(() => union().size === 100, { what: 'all 100 events across the group' });
      expect(first.seen.length).toBeGreaterThan(0);
      expect(second.seen.length).toBeGreaterThan(0);
      await Promise.all([h1.stop(), h2.stop()]);
    });

    it('retries a failing handler and commits only after it succeeds', async () => {
      const groupId = `group-${randomUUID()}`;
      let calls = 0;
      const handled: string[] = [];
      const handle = await subject.bus.subscribe({
        ...collector().spec({ groupId }),
        handleBatch: (batch) => {
          calls += 1;
          if (calls <= 2) return Promise.reject(new Error('database hiccup'));
          handled.push(...batch.map((c) => c.event.id));
          return Promise.resolve();
        },
      });
      await handle.assigned;
      const events = Array.from({ length: 5 }, () => inboundMessageEvent());
      await subject.bus.emit(events);
      await waitFor(() => handled.length >= 5, { what: 'the retried batch' });
      expect(calls).toBeGreaterThanOrEqual(3);
      await handle.stop();

      // The same group, later: the committed events are not delivered again; a new one is.
      const later = collector();
      const restarted = await reopen();
      const h2 = await restarted.subscribe(later.spec({ groupId }));
      await h2.assigned;
      const fresh = inboundMessageEvent();
      await restarted.emit(fresh);
      await waitFor(() => later.seen.length >= 1, { what: 'the fresh event' });
      await settle(300);
      expect(later.seen.map((c) => c.event.id)).toEqual([fresh.id]);
      await h2.stop();
    });

    it('delivers again what a stopped subscriber never finished', async () => {
      const groupId = `group-${randomUUID()}`;
      let attempts = 0;
      const handle = await subject.bus.subscribe({
        ...collector().spec({ groupId }),
        // A transient failure is never dead-lettered: the event waits for a consumer that can take it.
        retry: { ...fastRetry, isTransient: () => true },
        handleBatch: () => {
          attempts += 1;
          return Promise.reject(new Error('connection refused'));
        },
      });
      await handle.assigned;
      const event = inboundMessageEvent();
      await subject.bus.emit(event);
      await waitFor(() => attempts >= 5, { what: 'several transient failures' });
      await handle.stop();

      const later = collector();
      const h2 = await (await reopen()).subscribe(later.spec({ groupId }));
      await waitFor(() => later.seen.length >= 1, { what: 'redelivery' });
      expect(later.seen[0]!.event.id).toBe(event.id);
      expect(await subject.deadLetters(Topics.inbound)).toEqual([]);
      await h2.stop();
    });

    it('waits out an outage a handler meets (its own publish refused) whatever its retry policy says', async () => {
      const { seen, spec } = collector();
      let attempts = 0;
      const handle = await subject.bus.subscribe(
        spec({
          // Permanent failures are dead-lettered after 3 attempts; this one must not be.
          retry: fastRetry,
          handleBatch: (batch) => {
            attempts += 1;
            if (attempts <= 6)
              return Promise.reject(new EventBusUnavailableError('could not publish to Kafka: leader moved'));
            seen.push(...batch);
            return Promise.resolve();
          },
        }),
      );
      await handle.assigned;
      const event = inboundMessageEvent();
      await subject.bus.emit(event);
      await waitFor(() => seen.length >= 1, { timeoutMs: 30_000, what: 'handled once the outage ended' });
      expect(seen.map((c) => c.event.id)).toEqual([event.id]);
      expect(attempts).toBe(7);
      expect(await subject.deadLetters(Topics.inbound)).toEqual([]);
      await handle.stop();
    });

    it('dead-letters invalid and unknown events with the reason, and goes on', async () => {
      const { seen, spec } = collector();
      const handle = await subject.bus.subscribe(spec());
      await handle.assigned;
      const before = inboundMessageEvent({ text: 'before' });
      const after = inboundMessageEvent({ text: 'after' });
      const invalid = { ...inboundMessageEvent(), payload: { channel: 'carrier-pigeon' } } as EventEnvelope;
      const unknown = {
        ...inboundMessageEvent(),
        type: 'inbound.message.received',
        version: 99,
      } as EventEnvelope;
      // emit() refuses both (no definition routes them): they stand for what another producer's
      // version could write, so they go on the log the one other way there is, as an outbox would.
      // eslint-disable-next-line no-restricted-syntax
      await EventBus.relayOutbox(
        subject.bus,
        [before, invalid, unknown, after].map((event) => ({
          topic: Topics.inbound,
          key: 'same-sender',
          event,
        })),
      );

      await waitFor(() => seen.length >= 2, { what: 'the valid events' });
      expect(seen.map((c) => c.event.id)).toEqual([before.id, after.id]);
      const letters = await waitFor(
        async () => {
          const found = await subject.deadLetters(Topics.inbound);
          return found.length >= 2 ? found : undefined;
        },
        { what: 'two dead letters' },
      );
      const reasons = Object.fromEntries(letters.map((l) => [JSON.parse(l.value!).id as string, l]));
      expect(reasons[invalid.id]!.headers[DeadLetterHeaders.reason]).toBe('invalid');
      expect(reasons[invalid.id]!.headers[DeadLetterHeaders.error]).toContain('channel');
      expect(reasons[unknown.id]!.headers[DeadLetterHeaders.reason]).toBe('unknown-type');
      expect(reasons[unknown.id]!.key).toBe('same-sender');
      expect(reasons[unknown.id]!.headers[DeadLetterHeaders.originalTopic]).toBe(Topics.inbound);
      await handle.stop();
    });

    it('dead-letters a poison event after its retries and handles the rest', async () => {
      const events = Array.from({ length: 6 }, (_, i) => inboundMessageEvent({ text: `m${i}` }));
      const poison = events[2]!;
      const handled: string[] = [];
      const handle = await subject.bus.subscribe({
        ...collector().spec(),
        handleBatch: (batch) => {
          if (batch.some((c) => c.event.id === poison.id))
            return Promise.reject(new Error('cannot handle m2'));
          handled.push(...batch.map((c) => c.event.id));
          return Promise.resolve();
        },
      });
      await handle.assigned;
      await subject.bus.emit(events);

      await waitFor(() => handled.length >= 5, { what: 'the five good events' });
      expect(handled).toEqual(events.filter((e) => e !== poison).map((e) => e.id));
      const letters = await waitFor(
        async () => {
          const found = await subject.deadLetters(Topics.inbound);
          return found.length >= 1 ? found : undefined;
        },
        { what: 'the poison event dead-lettered' },
      );
      expect(letters).toHaveLength(1);
      expect(JSON.parse(letters[0]!.value!).id).toBe(poison.id);
      expect(letters[0]!.headers[DeadLetterHeaders.reason]).toBe('handler-failed');
      expect(letters[0]!.headers[DeadLetterHeaders.error]).toContain('cannot handle m2');
      await handle.stop();
    });

    it('skips valid events of types the subscriber does not handle', async () => {
      const { seen, spec } = collector();
      const handle = await subject.bus.subscribe(spec());
      await handle.assigned;
      // Another event `inbound` carries, which this subscriber does not accept.
      const message = inboundMessageEvent();
      const optOut = IdentityOptOutChangedV1.create({
        workspaceId: message.workspaceId,
        payload: {
          channel: 'sms',
          channelAccountId: message.payload.channelAccountId,
          identity: { kind: 'phone', address: message.payload.sender.address },
          optedOut: true,
          keyword: 'STOP',
          providerMessageId: message.payload.providerMessageId,
          changedAt: new Date().toISOString(),
        },
      });
      await subject.bus.emit([optOut, message]);
      await waitFor(() => seen.length >= 1, { what: 'the inbound event' });
      await settle(200);
      expect(seen.map((c) => c.event.id)).toEqual([message.id]);
      expect(await subject.deadLetters(Topics.inbound)).toEqual([]);
      await handle.stop();
    });

    it('on close, finishes the batch in flight and does not deliver it again', async () => {
      const groupId = `group-${randomUUID()}`;
      let started = false;
      let finished = false;
      const handle = await subject.bus.subscribe({
        ...collector().spec({ groupId }),
        handleBatch: async () => {
          started = true;
          await new Promise((resolve) => setTimeout(resolve, 500));
          finished = true;
        },
      });
      await handle.assigned;
      await subject.bus.emit(inboundMessageEvent());
      await waitFor(() => started, { what: 'the handler to start' });
      await subject.bus.close();
      expect(finished).toBe(true);

      const later = collector();
      const restarted = await reopen();
      const h2 = await restarted.subscribe(later.spec({ groupId }));
      await h2.assigned;
      const fresh = inboundMessageEvent();
      await restarted.emit(fresh);
      await waitFor(() => later.seen.length >= 1, { what: 'the fresh event' });
      await settle(300);
      expect(later.seen.map((c) => c.event.id)).toEqual([fresh.id]);
      await h2.stop();
    });

    it('starts an ephemeral group with what is published from then on, and forgets it when it stops', async () => {
      const before = inboundMessageEvent({ text: 'before' });
      await subject.bus.emit(before);
      // Kafka places the group by the events' timestamps: let the clock move past `before`.
      await settle(10);
      const durable = collector();
      const durableGroup = `group-${randomUUID()}`;
      const h1 = await subject.bus.subscribe(durable.spec({ groupId: durableGroup }));
      const live = collector();
      const liveGroup = `live-${randomUUID()}`;
      const h2 = await subject.bus.subscribe(live.spec({ groupId: liveGroup, ephemeral: true }));
      // Published at once, before the group may even have joined: it is still the group's to see.
      const after = inboundMessageEvent({ text: 'after' });
      await subject.bus.emit(after);

      await waitFor(() => durable.seen.length >= 2 && live.seen.length >= 1, { what: 'both groups' });
      await settle(300);
      expect(durable.seen.map((c) => c.event.id)).toEqual([before.id, after.id]);
      expect(live.seen.map((c) => c.event.id)).toEqual([after.id]);
      await Promise.all([h1.stop(), h2.stop()]);
      const groups = await subject.groups();
      expect(groups.filter((g) => g.endsWith(durableGroup))).toHaveLength(1);
      expect(groups.filter((g) => g.endsWith(liveGroup))).toEqual([]);
    });

    it('refuses to publish after close', async () => {
      await subject.bus.close();
      await expect(subject.bus.emit(inboundMessageEvent())).rejects.toThrow(/closed/);
    });

    it('refuses to subscribe after close: nothing it would start can outlive the bus', async () => {
      const { spec } = collector();
      await subject.bus.close();
      await expect(subject.bus.subscribe(spec())).rejects.toThrow(/closed/);
    });
  });
}
