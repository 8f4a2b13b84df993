import { counterMetric, gaugeMetric } from '@switchboard/platform';
import type { DeadLetter } from './dead-letter.js';
import type { ConsumedEvent, OutgoingEvent, SubscriptionSpec } from './event-bus.js';

/**
 * The event bus's metrics, the same for both adapters (ADR 0100). Labels are logical topic names,
 * event types and consumer groups: each a name in code, never a key, an id or a payload.
 */
const published = counterMetric({
  name: 'switchboard_events_published_total',
  help: 'Events made durable on the event log by this process, by logical topic and event type.',
  labelNames: ['topic', 'type'] as const,
});

const consumed = counterMetric({
  name: 'switchboard_events_consumed_total',
  help: 'Events handled by a consumer of this process (its batch committed), by group, topic and type.',
  labelNames: ['group', 'topic', 'type'] as const,
});

const deadLettered = counterMetric({
  name: 'switchboard_events_dead_lettered_total',
  help: 'Records a consumer of this process dead-lettered, by group, original topic and reason.',
  labelNames: ['group', 'topic', 'reason'] as const,
});

/** Children by label values: the hot path looks a series up in a map, not by hashing labels. */
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
 * batch is mostly one of each, so its events cost one series lookup and one `inc(n)`, not n.
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
    child(published, 'p', [topic, event.type]).inc(end - at);
    at = end;
  }
}

export function countConsumed(groupId: string, events: readonly ConsumedEvent[]): void {
  let at = 0;
  while (at < events.length) {
    const end = runEnd(events, at);
    const { topic, event } = events[at]!;
    child(consumed, 'c', [groupId, topic, event.type]).inc(end - at);
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
