import {
  type EventDefinition,
  type EventEnvelope,
  type EventOf,
  findEventDefinition,
} from '@switchboard/contracts';
import {
  DependencyUnavailableError,
  type TraceCarrier,
  activeTraceCarrier,
  tracingEnabled,
} from '@switchboard/platform';
import { inPublishSpan } from './trace-headers.util.js';

/**
 * One event with the topic it goes to and the key that orders it (same key, same partition, same
 * order), as `routed()` derives them from the event's definition.
 */
export interface OutgoingEvent {
  readonly topic: string;
  readonly key: string;
  readonly event: EventEnvelope;
  /**
   * The trace context of the span that created the event (tracing on, inside a span): the record's
   * headers carry it, so the consumer's span continues that trace (ADR 0105). Kept with the event
   * where it waits (an outbox), so a relay publishing it later keeps the trace it belongs to.
   */
  readonly trace?: TraceCarrier;
}

/** An event as a consumer sees it, already validated against its definition. */
export interface ConsumedEvent<E extends EventEnvelope = EventEnvelope> {
  readonly event: E;
  /** Logical topic name (as in `Topics`), whatever prefix the deployment uses. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
}

export interface RetryPolicy {
  /** Attempts per batch (and then per event) before an event is dead-lettered. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /**
   * Errors that say "not now" rather than "never" (the database is down): these are retried for as
   * long as the consumer runs, blocking the partition, instead of being dead-lettered. Order and
   * data are kept; lag grows and readiness tells.
   */
  readonly isTransient: (error: unknown) => boolean;
}

export interface SubscriptionSpec<D extends EventDefinition = EventDefinition> {
  /** Consumer group: each group sees every event once; members of a group share partitions. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Event definitions this consumer handles. Any other valid event on its topics is skipped;
   * an event that fails validation, or whose type is unknown, goes to the dead-letter topic.
   */
  readonly accepts: readonly D[];
  /**
   * Handles events of one partition, in order. Must be idempotent: delivery is at least once.
   * When it resolves, the batch's offsets are committed; when it throws, the batch is retried.
   */
  readonly handleBatch: (batch: readonly ConsumedEvent<EventOf<D>>[]) => Promise<void>;
  readonly maxBatchSize?: number;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Kafka through kafkajs: each partition's next batch is fetched while the last is handled, one
   * batch ahead (ADR 0148), rather than once every batch of the last fetch is handled. Order,
   * commits after handling and redelivery are as without it. The other adapters ignore it
   * (@platformatic/kafka's stream already fetches while its partition queues are handled).
   */
  readonly fetchAhead?: boolean;
  /**
   * For a group that need not see an event the moment it is on the log (a backstop, such as the
   * inbox's durable snooze wakes): each fetch waits on the broker until this many bytes of records
   * are there for the group, or its 500 ms wait is over, rather than answering with the first
   * record. The group then takes in a busy log in a few large batches a second rather than many
   * small ones: fewer fetch responses to decode, handler calls and commits per event, for up to
   * half a second more before it sees one. Order, commits after handling and redelivery are as
   * without it. Kafka only (both clients); the in-process log ignores it. Default: 1 byte.
   */
  readonly fetchMinBytes?: number;
  /**
   * A group that lives as long as this one subscription, such as one replica's live feed (its
   * group id must be unique to it). It starts with the events published from the moment it
   * subscribes rather than with the oldest one retained, and its position is forgotten when it
   * stops: it neither replays the log on every start nor holds back the log's pruning. Default:
   * a durable group, which resumes where it stopped.
   */
  readonly ephemeral?: boolean;
}

export interface SubscriptionHandle {
  /** Settles when the subscriber has joined its group and been given partitions (useful in tests). */
  readonly assigned: Promise<void>;
  /** Stops fetching, lets the batch in flight finish (or abandons it uncommitted), and leaves the group. */
  stop(): Promise<void>;
}

/**
 * The event log, as services see it. Two adapters keep the same semantics: Kafka (distributed)
 * and in-process (embedded). Per-key order, at-least-once delivery, consumer groups, dead letters.
 */
export abstract class EventBus {
  /**
   * Publishes events on the topics their definitions name, keyed as their definitions say (the
   * workspace id, or the sender's address on `inbound`): the one way to publish. Resolves only when
   * every event is durable (Kafka: acknowledged by all in-sync replicas). Rejects with
   * `EventBusUnavailableError` when the log can't take them: the caller answers 5xx.
   */
  async emit(events: EventEnvelope | readonly EventEnvelope[]): Promise<void> {
    const list: readonly EventEnvelope[] = isEventList(events) ? events : [events];
    if (!tracingEnabled()) return this.publishRouted(list.map(routed));
    const routes = list.map(routed);
    await inPublishSpan(
      routes.map((r) => r.topic),
      routes.length,
      () => {
        const trace = activeTraceCarrier();
        return this.publishRouted(trace === undefined ? routes : routes.map((r) => ({ ...r, trace })));
      },
    );
  }

  /**
   * What an adapter implements: make events durable on the topic and under the key each names.
   * Protected so that no caller picks a topic or key by hand; the only caller beside `emit()` is
   * `relayOutbox()`.
   */
  protected abstract publishRouted(events: readonly OutgoingEvent[]): Promise<void>;

  /**
   * Publishes events an outbox stored already routed. Only history's outbox relay may call this
   * (lint forbids importing `relayOutbox` anywhere else): the outbox keeps `routed()`'s topic and
   * key from the moment the change committed, and relaying them as stored keeps a row written
   * before a definition moved an event on the topic and key its readers were promised; it also
   * spares the relay re-deriving 2,000 routes a round. Everything else emits. Same guarantees as
   * `emit()`.
   */
  static relayOutbox(bus: EventBus, entries: readonly OutgoingEvent[]): Promise<void> {
    return bus.publishRouted(entries);
  }

  abstract subscribe<D extends EventDefinition>(spec: SubscriptionSpec<D>): Promise<SubscriptionHandle>;
  /** Throws when the log is unreachable: used by /readyz. */
  abstract checkHealth(): Promise<void>;
  /** Drains in-flight work, stops every subscription, releases connections. */
  abstract close(): Promise<void>;
}

/** The log could not make the events durable; nothing was acknowledged. Map to 503 / UNAVAILABLE. */
export class EventBusUnavailableError extends DependencyUnavailableError {
  override readonly name = 'EventBusUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('event-log', message, options);
  }
}

/**
 * The event with the topic and key its definition gives it, and the active span's trace context
 * when there is one (the event's creation: ADR 0105). Throws for an event whose type and
 * version no definition in `allEventDefinitions` has: a programming error, caught before anything
 * is published.
 */
export function routed(event: EventEnvelope): OutgoingEvent {
  const definition = findEventDefinition(event.type, event.version);
  if (definition === undefined)
    throw new Error(`no event definition for ${event.type}@${event.version}; add it to allEventDefinitions`);
  const route = { topic: definition.topic, key: definition.keyOf(event), event };
  const trace = activeTraceCarrier();
  return trace === undefined ? route : { ...route, trace };
}

/** The topics a consumer of these definitions reads, each once, in the order first named. */
export function topicsOf(definitions: readonly EventDefinition[]): string[] {
  return [...new Set(definitions.map((definition) => definition.topic))];
}

function isEventList(events: EventEnvelope | readonly EventEnvelope[]): events is readonly EventEnvelope[] {
  return Array.isArray(events);
}
