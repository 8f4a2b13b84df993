import { counterMetric, gaugeMetric } from '@switchboard/platform';
import type { Counter } from 'prom-client';
import type { DeadLetter } from './dead-letter.js';
import type { ConsumedEvent, OutgoingEvent, SubscriptionSpec } from './event-bus.js';

/**
 * A series' count since the last scrape. prom-client hashes a series' labels on every `inc()`,
 * even through a child of `labels()`: 0.9–1.5 µs a publish of one event, measured apart (ADR
 * 0149). The publish and consume paths add to a number instead (40–75 ns), and a scrape (the
 * counter's `collect`) hands each series' count to prom-client in one `inc()`. What a scrape reads
 * is every event counted before it, as before.
 */
interface Tally {
  readonly labels: Readonly<Record<string, string>>;
  pending: number;
}

/**
 * Every tally of a counter, kept on the counter itself: a second copy of this module in the
 * process gets the same counter from the registry (`counterMetric`), and its tallies are handed
 * over by whichever copy's `collect` the counter was created with.
 */
const TALLIES = Symbol.for('switchboard.messaging.busMetrics.tallies');
type TalliedCounter = Counter<string> & { [TALLIES]?: Tally[] };

function talliedCounter(config: {
  name: string;
  help: string;
  labelNames: readonly string[];
}): TalliedCounter {
  const metric: TalliedCounter = counterMetric({
    ...config,
    collect() {
      handOver(this);
    },
  });
  metric[TALLIES] ??= [];
  return metric;
}

function handOver(metric: TalliedCounter): void {
  for (const tally of metric[TALLIES] ?? []) {
    if (tally.pending === 0) continue;
    metric.inc(tally.labels, tally.pending);
    tally.pending = 0;
  }
}

/** The tally of `labels`, made and registered with its counter on first use. */
function newTally(metric: TalliedCounter, labels: Record<string, string>): Tally {
  const tally: Tally = { labels, pending: 0 };
  (metric[TALLIES] ??= []).push(tally);
  return tally;
}

/**
 * The event bus's metrics, the same for both adapters (ADR 0100). Labels are logical topic names,
 * event types and consumer groups: each a name in code, never a key, an id or a payload.
 */
const published = talliedCounter({
  name: 'switchboard_events_published_total',
  help: 'Events made durable on the event log by this process, by logical topic and event type.',
  labelNames: ['topic', 'type'] as const,
});

const consumed = talliedCounter({
  name: 'switchboard_events_consumed_total',
  help: 'Events handled by a consumer of this process (its batch committed), by group, topic and type.',
  labelNames: ['group', 'topic', 'type'] as const,
});

const deadLettered = counterMetric({
  name: 'switchboard_events_dead_lettered_total',
  help: 'Records a consumer of this process dead-lettered, by group, original topic and reason.',
  labelNames: ['group', 'topic', 'reason'] as const,
});

/** Published tallies by topic, then type; consumed ones by group, topic, then type: no key built per call. */
const publishedTallies = new Map<string, Map<string, Tally>>();
const consumedTallies = new Map<string, Map<string, Map<string, Tally>>>();

function publishedTally(topic: string, type: string): Tally {
  let byType = publishedTallies.get(topic);
  if (byType === undefined) publishedTallies.set(topic, (byType = new Map<string, Tally>()));
  let tally = byType.get(type);
  if (tally === undefined) byType.set(type, (tally = newTally(published, { topic, type })));
  return tally;
}

function consumedTally(group: string, topic: string, type: string): Tally {
  let byTopic = consumedTallies.get(group);
  if (byTopic === undefined) consumedTallies.set(group, (byTopic = new Map<string, Map<string, Tally>>()));
  let byType = byTopic.get(topic);
  if (byType === undefined) byTopic.set(topic, (byType = new Map<string, Tally>()));
  let tally = byType.get(type);
  if (tally === undefined) byType.set(type, (tally = newTally(consumed, { group, topic, type })));
  return tally;
}

/** Dead letters' children by label values (rare: the prom-client child is enough). */
type Child = { inc(value?: number): void };
const children = new Map<string, Child>();

function child(metric: { labels(...values: string[]): Child }, kind: string, values: string[]): Child {
  const key = `${kind}\u0000${values.join('\u0000')}`;
  let found = children.get(key);
  if (found === undefined) children.set(key, (found = metric.labels(...values)));
  return found;
}

/**
 * The end of the run of events from `at` on that share a topic and an event type: a publish or a
 * batch is mostly one of each, so its events cost one series lookup, not n.
 */
function runEnd(
  events: readonly { readonly topic: string; readonly event: { readonly type: string } }[],
  at: number,
) {
  const { topic, event } = events[at]!;
  let end = at + 1;
  while (end < events.length && events[end]!.topic === topic && events[end]!.event.type === event.type)
    end += 1;
  return end;
}

export function countPublished(events: readonly OutgoingEvent[]): void {
  let at = 0;
  while (at < events.length) {
    const end = runEnd(events, at);
    const { topic, event } = events[at]!;
    publishedTally(topic, event.type).pending += end - at;
    at = end;
  }
}

export function countConsumed(groupId: string, events: readonly ConsumedEvent[]): void {
  let at = 0;
  while (at < events.length) {
    const end = runEnd(events, at);
    const { topic, event } = events[at]!;
    consumedTally(groupId, topic, event.type).pending += end - at;
    at = end;
  }
}

export function countDeadLettered(group: string, letters: readonly DeadLetter[]): void {
  for (const letter of letters) child(deadLettered, 'd', [group, letter.record.topic, letter.reason]).inc();
}

/**
 * The group a subscription is counted under. An ephemeral group's id ends in its replica's own id
 * (`inbox.live.<replica>`): that last segment is dropped, so a restart does not start a new series.
 */
export function groupLabel(spec: Pick<SubscriptionSpec, 'groupId' | 'ephemeral'>): string {
  if (spec.ephemeral !== true) return spec.groupId;
  const dot = spec.groupId.lastIndexOf('.');
  return dot > 0 ? spec.groupId.slice(0, dot) : 'ephemeral';
}

/** One partition's lag: records on the log its group has not yet handled. */
export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** Something that can say, when asked, how far its groups are behind (a bus, on a scrape). */
export type LagSource = () => Promise<readonly PartitionLag[]>;

const lagSources = new Set<LagSource>();

gaugeMetric({
  name: 'switchboard_consumer_lag',
  help: 'Records not yet handled, by consumer group, logical topic and partition (read on scrape, cached).',
  labelNames: ['group', 'topic', 'partition'] as const,
  async collect() {
    const all = await Promise.all([...lagSources].map((source) => source().catch(() => [])));
    this.reset();
    for (const rows of all) {
      for (const row of rows)
        this.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, row.lag);
    }
  },
});

/** Reports a bus's lag on every scrape until the returned function is called (its close()). */
export function observeLag(source: LagSource): () => void {
  lagSources.add(source);
  return () => lagSources.delete(source);
}

/**
 * Wraps a lag reading so that a scrape never waits long nor asks the log more often than
 * `maxAgeMs`: a reading still fresh is reused; one that takes longer than `timeoutMs` gives the
 * previous reading (or none) to this scrape while it finishes for the next.
 */
export function cachedLag(read: LagSource, maxAgeMs: number, timeoutMs: number): LagSource {
  let last: { at: number; rows: readonly PartitionLag[] } | undefined;
  let pending: Promise<readonly PartitionLag[]> | undefined;
  return async () => {
    if (last !== undefined && Date.now() - last.at < maxAgeMs) return last.rows;
    pending ??= read()
      .then((rows) => {
        last = { at: Date.now(), rows };
        return rows;
      })
      .finally(() => (pending = undefined));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<readonly PartitionLag[]>((resolve) => {
      timer = setTimeout(() => resolve(last?.rows ?? []), timeoutMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
